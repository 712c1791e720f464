import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { classifyPaths } from './classify/classify-files.js';
import {
  type Command,
  type Context,
  cliProcessOptions,
  parsePositiveInt,
  print,
  readSecretFile,
  requireString,
  UsageError,
  type Values,
  withDatabase,
} from './cli/common.js';
import { REVIEW_COMMANDS, REVIEW_HELP } from './cli/review-commands.js';
import { SETUP_COMMANDS, SETUP_HELP } from './cli/setup-commands.js';
import { type Clock, fixedClock, shiftedClock, systemClock } from './clock.js';
import { type Config, loadConfigOrExit } from './config.js';
import { openDatabase } from './db/index.js';
import { migrate } from './db/migrate.js';
import { SYSTEM } from './domain/audit.repo.js';
import { upsertUser } from './domain/users.repo.js';
import { errorMessage, isAppError } from './errors.js';
import { ingestionStatus, requeueFailed } from './ingest/health.repo.js';
import { drainQueue } from './ingest/queue.js';
import { createLogger, type Logger } from './log.js';
import { importPaths } from './mailsource/import-files.js';
import { addMailbox, listMailboxes, removeMailbox } from './mailsource/mailboxes.repo.js';
import { runUntilSignalled } from './main.js';
import { hashPassword, resolveAppSecret } from './secrets.js';

/**
 * Every command a user or operator runs. `npm run -s cli -- <command> [args]`.
 * Every command takes --now <ISO time>: the clock for that run (replays, tests).
 */

const HELP = `Usage: npm run -s cli -- <command> [options]

Commands:
  start                         run web, worker and scheduler (as npm start)
  migrate                       apply pending database migrations
  import <paths...> [--json]    import .eml files, directories (recursive) and mbox files; sends nothing
  classify <paths...> [--json]  the intent of each .eml file (directories recursive); needs no database
  user add --email <e> --name <n> [--admin] [--password-file <f>] [--json]
                                create or update a team member who can sign in
  status [--json]               ingestion health: message counts, mailboxes, lag
  retry <id> | --all-failed     queue failed messages again and process them now
  mailbox add --name <n> --host <h> --user <u> --password-file <f> [--port <p>] [--no-tls]
              [--folders INBOX,\\Sent] [--json]
                                add (or update) an IMAP mailbox; the password is stored encrypted
  mailbox list [--json]         the mailboxes and their sync state
  mailbox remove <name|id>      stop syncing a mailbox (kept, disabled, if mail from it is stored)
${SETUP_HELP}
${REVIEW_HELP}
  help                          show this help

Options for every command:
  --now <ISO time>              the time this run takes as now (for example 2026-11-25T09:00:00Z)
  --as <email>                  the team member the audit trail names (default: the CLI itself)
  -h, --help                    show this help

Configuration comes from environment variables; see README.md.`;

const COMMANDS: Record<string, Command> = {
  ...SETUP_COMMANDS,
  ...REVIEW_COMMANDS,
  help: {
    options: {},
    async run() {
      process.stdout.write(`${HELP}\n`);
      return 0;
    },
  },
  start: {
    options: {},
    async run(ctx) {
      // A long-running process started with --now keeps running from that instant at real speed.
      const clock = ctx.values.now ? shiftedClock(ctx.clock.now()) : systemClock;
      await runUntilSignalled(ctx.config(), clock);
      return -1; // keeps running until a signal
    },
  },
  migrate: {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const db = await openDatabase(ctx.config(), ctx.log(), 'signoff-cli');
      try {
        const { applied } = await migrate(db.sql, ctx.log());
        print(Boolean(ctx.values.json), { applied }, `Applied ${applied.length} migration(s).`);
      } finally {
        await db.close();
      }
      return 0;
    },
  },
  import: {
    options: { json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      if (ctx.positionals.length === 0) throw new UsageError('import needs at least one path');
      const log = ctx.log();
      const { report, processed } = await withDatabase(ctx, async (sql) => {
        const report = await importPaths(sql, ctx.positionals, ctx.clock);
        const options = await cliProcessOptions(ctx.config(), { confirmations: false });
        const processed = await drainQueue(sql, ctx.clock, log, options);
        return { report, processed };
      });
      print(
        Boolean(ctx.values.json),
        { ...report, processed },
        `Read ${report.files} file(s), ${report.messages} message(s): ${report.added} new, ${report.unchanged} already imported; ` +
          `${processed.processed} processed, ${processed.failed} failed.` +
          report.errors.map((e) => `\n  ${e.path}: ${e.error}`).join(''),
      );
      return report.errors.length > 0 ? 1 : 0;
    },
  },
  classify: {
    options: { json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      if (ctx.positionals.length === 0) throw new UsageError('classify needs at least one path');
      // Reads files only: no config, no database, so it never starts the embedded PostgreSQL.
      await classifyPaths(ctx.positionals, (line) => {
        const text =
          'error' in line
            ? `${line.file}: error: ${line.error}`
            : `${line.file}: ${line.intent} ${line.confidence.toFixed(2)}${line.decidingPhrase ? ` "${line.decidingPhrase.replace(/\s+/g, ' ')}"` : ''}`;
        print(Boolean(ctx.values.json), line, text);
      });
      return 0;
    },
  },
  'user add': {
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean' },
      'password-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const email = requireString(ctx.values, 'email').toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new UsageError(`--email is not an email address: ${email}`);
      const name = requireString(ctx.values, 'name');
      const file = ctx.values['password-file'];
      let password: string;
      let generated = false;
      if (typeof file === 'string') {
        password = await readSecretFile(file, 'password-file');
        if (password.length < 12) throw new UsageError('the password must have at least 12 characters');
      } else {
        password = randomBytes(12).toString('base64url');
        generated = true;
      }
      const passwordHash = await hashPassword(password);
      const { user, created } = await withDatabase(ctx, (sql) =>
        sql.begin((tx) =>
          upsertUser(
            tx,
            { email, name, role: ctx.values.admin ? 'admin' : 'lead', passwordHash },
            SYSTEM,
            ctx.clock.now(),
          ),
        ),
      );
      print(
        Boolean(ctx.values.json),
        {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          created,
          ...(generated ? { password } : {}),
        },
        `${created ? 'Created' : 'Updated'} ${user.email} (${user.role}).${generated ? ` Password: ${password}` : ''}`,
      );
      return 0;
    },
  },
  status: {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const status = await withDatabase(ctx, (sql) => ingestionStatus(sql, ctx.clock.now()));
      const m = status.messages;
      const lines = [
        `Messages: ${m.stored} stored, ${m.processed} processed, ${m.queued} queued, ${m.failed} failed.`,
        ...status.mailboxes.map(
          (b) =>
            `Mailbox ${b.id} ${b.name}: ${b.state}${b.enabled ? '' : ' (disabled)'}, last sync ${b.lastSyncAt?.toISOString() ?? 'never'}` +
            `, lag ${b.lagSeconds ?? '-'} s${b.lastError ? `, last error: ${b.lastError}` : ''}`,
        ),
      ];
      print(Boolean(ctx.values.json), status, lines.join('\n'));
      return 0;
    },
  },
  retry: {
    options: { 'all-failed': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      const all = Boolean(ctx.values['all-failed']);
      const [id, ...extra] = ctx.positionals;
      if (all === (id !== undefined) || extra.length > 0)
        throw new UsageError('retry needs one message id or --all-failed');
      if (id !== undefined && !/^\d+$/.test(id)) throw new UsageError(`not a message id: ${id}`);
      const log = ctx.log();
      const result = await withDatabase(ctx, async (sql) => {
        const queued = await requeueFailed(sql, all ? 'all' : { id: Number(id) }, ctx.clock.now());
        const options = await cliProcessOptions(ctx.config(), { confirmations: true });
        const processed = await drainQueue(sql, ctx.clock, log, options);
        return { queued, ...processed };
      });
      print(
        Boolean(ctx.values.json),
        result,
        `Queued ${result.queued} failed message(s) again: ${result.processed} processed, ${result.failed} failed again.`,
      );
      return 0;
    },
  },
  'mailbox add': {
    options: {
      name: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      'password-file': { type: 'string' },
      'no-tls': { type: 'boolean' },
      folders: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const tls = !ctx.values['no-tls'];
      const folders = (typeof ctx.values.folders === 'string' ? ctx.values.folders : 'INBOX,\\Sent')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      const input = {
        name: requireString(ctx.values, 'name'),
        host: requireString(ctx.values, 'host'),
        port: parsePositiveInt(ctx.values.port, 'port', 65535) ?? (tls ? 993 : 143),
        tls,
        user: requireString(ctx.values, 'user'),
        password: await readSecretFile(ctx.values['password-file'], 'password-file'),
        folders,
      };
      const appSecret = await resolveAppSecret(ctx.config());
      const { id, created } = await withDatabase(ctx, (sql) => addMailbox(sql, appSecret, input));
      const { password: _secret, ...shown } = input;
      print(
        Boolean(ctx.values.json),
        { id, created, ...shown },
        `${created ? 'Added' : 'Updated'} mailbox ${id} ${input.name}; a running worker picks it up within 10 s.`,
      );
      return 0;
    },
  },
  'mailbox list': {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const rows = await withDatabase(ctx, listMailboxes);
      const line = (m: (typeof rows)[number]) =>
        `${m.id}  ${m.name}  ${m.username}@${m.host}:${m.port}${m.tls ? '' : ' (no TLS)'}  ${m.folders.join(',')}  ${m.enabled ? m.state : 'disabled'}`;
      print(Boolean(ctx.values.json), rows, rows.length === 0 ? 'No mailboxes.' : rows.map(line).join('\n'));
      return 0;
    },
  },
  'mailbox remove': {
    options: { json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      const [target, ...extra] = ctx.positionals;
      if (target === undefined || extra.length > 0)
        throw new UsageError('mailbox remove needs one mailbox name or id');
      const result = await withDatabase(ctx, (sql) => removeMailbox(sql, target)).catch((error: unknown) => {
        if (isAppError(error, 'NOT_FOUND')) throw new UsageError(error.message);
        throw error;
      });
      const text =
        result.removed === 'deleted'
          ? `Removed mailbox ${result.id}.`
          : `Disabled mailbox ${result.id}; its stored mail is kept.`;
      print(Boolean(ctx.values.json), result, text);
      return 0;
    },
  },
};

function parseNow(value: unknown): Clock {
  if (value === undefined) return systemClock;
  const at =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
      ? new Date(value)
      : null;
  if (!at || Number.isNaN(at.getTime()))
    throw new UsageError(`--now must be an ISO time like 2026-11-25T09:00:00Z (got ${String(value)})`);
  return fixedClock(at);
}

export async function runCli(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h')
    return COMMANDS.help?.run({} as Context) ?? 0;
  const twoWord = second !== undefined ? `${first} ${second}` : '';
  const name = COMMANDS[twoWord] ? twoWord : first;
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${first}"; run with --help to see the commands`);
  const rest = argv.slice(name.split(' ').length);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...command.options,
        now: { type: 'string' },
        as: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: command.positionals === 'some',
      strict: true,
    });
  } catch (error) {
    throw new UsageError(errorMessage(error).split('\n')[0] ?? 'bad arguments');
  }
  if (parsed.values.help) return COMMANDS.help?.run({} as Context) ?? 0;
  let config: Config | undefined;
  let log: Logger | undefined;
  const ctx: Context = {
    values: parsed.values as Values,
    positionals: parsed.positionals,
    clock: parseNow(parsed.values.now),
    // CLI logs go to stderr at warn and above unless LOG_LEVEL asks for more: stdout is for results.
    config: () => {
      config ??= loadConfigOrExit(name === 'start' ? {} : { LOG_LEVEL: 'warn' });
      return config;
    },
    log: () => {
      log ??= createLogger(ctx.config().logLevel);
      return log;
    },
  };
  return command.run(ctx);
}

try {
  const code = await runCli(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (error) {
  process.stderr.write(`signoff: ${error instanceof UsageError ? error.message : errorMessage(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
