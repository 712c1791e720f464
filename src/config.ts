import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The only reader of process.env. Every variable is documented in README.md and .env.example.
 * Problems are collected for every variable at once so an operator fixes them in one round.
 */

const ROLE_NAMES = ['web', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLE_NAMES)[number];

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: `must be a whole number between ${min} and ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be a whole number between ${min} and ${max}` });

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const postgresUrl = z
  .string()
  .trim()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be a URL like postgres://user:password@host:5432/database' },
  );

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: z.url({ message: 'must be an absolute URL like https://signoff.agency.example' }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: integer(1, 200).default(10),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  APP_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLES: z
    .string()
    .trim()
    .transform((v) => v.split(',').map((r) => r.trim().toLowerCase()))
    .refine(
      (roles) => roles.length > 0 && roles.every((r) => (ROLE_NAMES as readonly string[]).includes(r)),
      {
        message: `must be a comma-separated list of ${ROLE_NAMES.join(', ')}`,
      },
    )
    .transform((roles) => [...new Set(roles)] as Role[])
    .default([...ROLE_NAMES]),
  DEMO_DATA: z.enum(['auto', 'always', 'never']).default('auto'),
  SESSION_TTL_HOURS: integer(1, 24 * 90).default(24 * 7),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  TRUST_PROXY: boolean.default(false),
  // The agency address clients reply to; review mail carries signed plus-addresses of it.
  INBOX_ADDRESS: z.email({ message: 'must be an email address' }).toLowerCase().optional(),
  IMAP_HOST: z.string().trim().min(1).optional(),
  IMAP_PORT: integer(1, 65535).optional(),
  IMAP_USER: z.string().trim().min(1).optional(),
  IMAP_PASSWORD: z.string().min(1).optional(),
  IMAP_PASSWORD_FILE: z.string().trim().min(1).optional(),
  IMAP_TLS: boolean.default(true),
  IMAP_FOLDERS: z
    .string()
    .transform((v) => v.split(',').map((f) => f.trim()))
    .refine((folders) => folders.length > 0 && folders.every((f) => f.length > 0), {
      message: 'must be a comma-separated list of folder names (\\Sent for the special-use Sent folder)',
    })
    .default(['INBOX', '\\Sent']),
  SYNC_SINCE_DAYS: integer(1, 3650).default(90),
  RECONCILE_INTERVAL_SECONDS: integer(10, 86_400).default(300),
  MAX_MESSAGE_MB: integer(1, 1024).default(50),
  PARSE_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  // Threads that read whole messages beside the worker's main thread. With 0 the main thread parses
  // MIME and one small thread reads the text (reply, intent). Opt-in: on two cores two threads moved
  // the ingest backfill from 136-140 to 143 messages/s and the worker's peak RSS from 334-347 to 547 MB.
  PARSE_THREADS: integer(0, 16).default(0),
  // Approvals: whose Authentication-Results we believe, and whether to verify DKIM/DMARC ourselves otherwise.
  TRUSTED_AUTHSERV_IDS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .default([]),
  VERIFY_SENDER_DNS: boolean.default(true),
  // Outbound mail: SMTP when SMTP_HOST is set, otherwise each message is written as an .eml file.
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, {
      message:
        'must be an address, or a name and an address like Brightline Studio <studio@brightline.example>',
    })
    .optional(),
  OUTBOX_DIR: z.string().trim().min(1).optional(),
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: integer(1, 65535).optional(),
  SMTP_SECURE: boolean.optional(),
  SMTP_USER: z.string().trim().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_PASSWORD_FILE: z.string().trim().min(1).optional(),
});

/** Variables whose values may hold credentials: their values never appear in messages. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'APP_SECRET', 'IMAP_PASSWORD', 'SMTP_PASSWORD']);

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  appSecret: string | undefined;
  inboxAddress: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  roles: Role[];
  demoData: Env['DEMO_DATA'];
  sessionTtlHours: number;
  cookieSecure: Env['COOKIE_SECURE'];
  trustProxy: boolean;
  /** The mailbox configured by IMAP_* variables, if any; more live in the database. */
  imap: EnvMailbox | undefined;
  ingest: IngestSettings;
  approvals: ApprovalSettings;
  outbound: OutboundSettings;
}

export interface ApprovalSettings {
  /** authserv-ids (lower case) whose topmost Authentication-Results header is believed. */
  trustedAuthservIds: string[];
  /** Without a trusted Authentication-Results header, verify DKIM and DMARC with DNS lookups. */
  verifyWithDns: boolean;
}

export interface OutboundSettings {
  /** The From of our mail (MAIL_FROM, else INBOX_ADDRESS); sending needs one of them. */
  from: string | undefined;
  /** Where messages are written as .eml files when no SMTP server is configured. */
  outboxDir: string;
  smtp: SmtpSettings | undefined;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
}

export interface EnvMailbox {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  /** Folder names; `\Sent` (or any `\Flag`) means the folder with that special use. */
  folders: string[];
}

export interface IngestSettings {
  syncSinceDays: number;
  reconcileIntervalSeconds: number;
  maxMessageBytes: number;
  parseTimeoutMs: number;
  parseThreads: number;
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Empty strings count as unset, as in most .env tooling. */
function withoutEmpty(source: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

export function parseConfig(source: Record<string, string | undefined>): ConfigResult {
  const input = withoutEmpty(source);
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const raw = input[variable];
      const shown = raw === undefined || SECRET_VARIABLES.has(variable) ? '' : ` (got "${raw}")`;
      return { variable, message: `${issue.message}${shown}` };
    });
    return { ok: false, problems };
  }
  const e = parsed.data;
  const problems: ConfigProblem[] = [];
  if (e.NODE_ENV === 'production' && !e.APP_SECRET) {
    problems.push({ variable: 'APP_SECRET', message: 'is required when NODE_ENV=production' });
  }
  let imapPassword = e.IMAP_PASSWORD;
  if (e.IMAP_PASSWORD_FILE) {
    if (e.IMAP_PASSWORD) {
      problems.push({ variable: 'IMAP_PASSWORD_FILE', message: 'cannot be set together with IMAP_PASSWORD' });
    }
    try {
      imapPassword = readFileSync(e.IMAP_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch {
      problems.push({ variable: 'IMAP_PASSWORD_FILE', message: `cannot be read (${e.IMAP_PASSWORD_FILE})` });
    }
  }
  const imapSet = ['IMAP_HOST', 'IMAP_USER', 'IMAP_PASSWORD', 'IMAP_PASSWORD_FILE'].filter((k) => input[k]);
  if (imapSet.length > 0) {
    if (!e.IMAP_HOST)
      problems.push({ variable: 'IMAP_HOST', message: `is required when ${imapSet.join(', ')} is set` });
    if (!e.IMAP_USER) problems.push({ variable: 'IMAP_USER', message: 'is required when IMAP_HOST is set' });
    if (!e.IMAP_PASSWORD && !e.IMAP_PASSWORD_FILE) {
      problems.push({
        variable: 'IMAP_PASSWORD',
        message: 'or IMAP_PASSWORD_FILE is required when IMAP_HOST is set',
      });
    }
  }
  let smtpPassword = e.SMTP_PASSWORD;
  if (e.SMTP_PASSWORD_FILE) {
    if (e.SMTP_PASSWORD) {
      problems.push({ variable: 'SMTP_PASSWORD_FILE', message: 'cannot be set together with SMTP_PASSWORD' });
    }
    try {
      smtpPassword = readFileSync(e.SMTP_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch {
      problems.push({ variable: 'SMTP_PASSWORD_FILE', message: `cannot be read (${e.SMTP_PASSWORD_FILE})` });
    }
  }
  const smtpSet = ['SMTP_PORT', 'SMTP_SECURE', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_PASSWORD_FILE'].filter(
    (k) => input[k],
  );
  if (smtpSet.length > 0 && !e.SMTP_HOST) {
    problems.push({ variable: 'SMTP_HOST', message: `is required when ${smtpSet.join(', ')} is set` });
  }
  if (smtpPassword && !e.SMTP_USER) {
    problems.push({ variable: 'SMTP_USER', message: 'is required when an SMTP password is set' });
  }
  if (problems.length > 0) return { ok: false, problems };
  // Without INBOX_ADDRESS, the synced mailbox's own address is where clients reply.
  const imapAddress =
    e.IMAP_USER && z.email().safeParse(e.IMAP_USER).success ? e.IMAP_USER.toLowerCase() : undefined;
  const inboxAddress = e.INBOX_ADDRESS ?? imapAddress;
  const smtpSecure = e.SMTP_SECURE ?? e.SMTP_PORT === 465;
  return {
    ok: true,
    config: {
      env: e.NODE_ENV,
      host: e.HOST,
      port: e.PORT,
      publicUrl: e.PUBLIC_URL,
      databaseUrl: e.DATABASE_URL,
      databasePoolMax: e.DATABASE_POOL_MAX,
      dataDir: e.DATA_DIR,
      appSecret: e.APP_SECRET,
      inboxAddress,
      logLevel: e.LOG_LEVEL,
      roles: e.ROLES,
      demoData: e.DEMO_DATA,
      sessionTtlHours: e.SESSION_TTL_HOURS,
      cookieSecure: e.COOKIE_SECURE,
      trustProxy: e.TRUST_PROXY,
      imap:
        e.IMAP_HOST && e.IMAP_USER && imapPassword
          ? {
              host: e.IMAP_HOST,
              port: e.IMAP_PORT ?? (e.IMAP_TLS ? 993 : 143),
              tls: e.IMAP_TLS,
              user: e.IMAP_USER,
              password: imapPassword,
              folders: e.IMAP_FOLDERS,
            }
          : undefined,
      ingest: {
        syncSinceDays: e.SYNC_SINCE_DAYS,
        reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
        maxMessageBytes: e.MAX_MESSAGE_MB * 1024 * 1024,
        parseTimeoutMs: e.PARSE_TIMEOUT_MS,
        parseThreads: e.PARSE_THREADS,
      },
      approvals: { trustedAuthservIds: e.TRUSTED_AUTHSERV_IDS, verifyWithDns: e.VERIFY_SENDER_DNS },
      outbound: {
        from: e.MAIL_FROM ?? inboxAddress,
        outboxDir: e.OUTBOX_DIR ?? `${e.DATA_DIR}/outbox`,
        smtp: e.SMTP_HOST
          ? {
              host: e.SMTP_HOST,
              port: e.SMTP_PORT ?? (smtpSecure ? 465 : 587),
              secure: smtpSecure,
              user: e.SMTP_USER,
              password: smtpPassword,
            }
          : undefined,
      },
    },
  };
}

export function formatConfigProblems(problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  ${p.variable}: ${p.message}`);
  return `Configuration error (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/**
 * Reads process.env; on any problem prints every one of them and exits before anything opens a socket.
 * `defaults` stand in for unset variables (the CLI keeps stdout for results by logging at warn).
 */
export function loadConfigOrExit(defaults: Record<string, string> = {}): Config {
  const result = parseConfig({ ...defaults, ...withoutEmpty(process.env) });
  if (result.ok) return result.config;
  process.stderr.write(`${formatConfigProblems(result.problems)}\n`);
  process.exit(78); // EX_CONFIG
}
