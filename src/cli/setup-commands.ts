import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from '../db/index.js';
import { loadAgency, saveAgency } from '../domain/agency.repo.js';
import {
  findClientByCode,
  listClients,
  listContacts,
  type ReportingSchedule,
  type SlaPolicy,
  saveClient,
  saveContact,
} from '../domain/clients.repo.js';
import {
  addVersion,
  createDeliverable,
  findDeliverable,
  listDeliverables,
  storeFileBlobs,
} from '../domain/deliverables.repo.js';
import { zonedTimeToUtc } from '../domain/due-date.js';
import { startRequest } from '../domain/requests.repo.js';
import { findUserByEmail } from '../domain/users.repo.js';
import {
  asUsage,
  type Command,
  type Context,
  cliActor,
  listCommand,
  oneOf,
  optionalString,
  parsePositiveInt,
  print,
  requireString,
  stringList,
  UsageError,
  withDatabase,
} from './common.js';

/** Setting up the agency's work from the command line: clients, contacts, deliverables, versions. */

export const SETUP_HELP = `  agency set --name <n> --domain <d> [--domain <d>]... [--json]
                                the agency's name and the domains its staff write from (their mail is
                                ours, never a client's); replaces the list
  agency show [--json]          the agency's name and domains
  client add --name <n> --code <CODE> --domain <d> [--domain <d>]... [--tz <zone>] [--lead <email>]
             [--business-hours 09:00-17:30] [--first-response-hours <h>] [--approval-reminder-hours <h>]
             [--escalate-after-hours <h>] [--report weekly|monthly|off] [--json]
                                create or update a client (code: 2-12 capitals and digits); SLA hours
                                are business hours in the client's time zone
  contact add --client <CODE> --email <e> --name <n> [--approver] [--json]
                                create or update a client contact; --approver lets them approve
  deliverable add --client <CODE> --title <t> [--due <date>] [--owner <email>] [--request <id>] [--json]
                                create a deliverable; prints its code (ACME-12)
  version add --deliverable <code> [--file <path>]... [--link <url>] [--note <text>] [--json]
                                add the next version of a deliverable (a draft)
  clients list | contacts list [--client <CODE>] | deliverables list [--client <CODE>]   [--json]`;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

async function userId(sql: Sql, email: string | undefined, option: string): Promise<number | null> {
  if (email === undefined) return null;
  const user = await findUserByEmail(sql, email);
  if (!user) throw new UsageError(`--${option} ${email}: no such user (add one with user add)`);
  return user.id;
}

/** `2026-12-04` is the end of that day in the client's zone; a full ISO time is taken as it is. */
function parseDue(value: string | undefined, timeZone: string): Date | null {
  if (value === undefined) return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [year, month, date] = day.slice(1).map(Number) as [number, number, number];
    return zonedTimeToUtc({ year, month, day: date, hour: 23, minute: 59 }, timeZone);
  }
  const at = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value) ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime()))
    throw new UsageError(`--due must be a date like 2026-12-04 or an ISO time with a zone (got ${value})`);
  return at;
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.zip': 'application/zip',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Review mail carries the files: more than this in one version is refused (mail servers cap near 25 MB). */
const MAX_VERSION_FILE_BYTES = 20 * 1024 * 1024;

async function readVersionFiles(paths: string[]) {
  const files: { name: string; sha256: string; size: number; contentType: string; bytes: Buffer }[] = [];
  for (const file of paths) {
    const bytes = await fs.readFile(file).catch(() => {
      throw new UsageError(`cannot read --file ${file}`);
    });
    const name = path.basename(file);
    const contentType = CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
    files.push({
      name,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      contentType,
      bytes,
    });
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_VERSION_FILE_BYTES)
    throw new UsageError(
      `the files add up to ${(total / 1048576).toFixed(1)} MB; at most 20 MB can go by mail (use --link)`,
    );
  return files;
}

/** The --domain options, lower-cased, each checked to be a mail domain; at least one. */
function mailDomains(ctx: Context): string[] {
  const domains = stringList(ctx.values, 'domain').map((d) => d.toLowerCase().replace(/^@/, ''));
  if (domains.length === 0) throw new UsageError('missing --domain');
  for (const d of domains)
    if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(d))
      throw new UsageError(`--domain is not a mail domain: ${d}`);
  return domains;
}

/** The SLA and reporting options of client add; only those given change what is stored. */
function slaOptions(ctx: Context): { sla: Partial<SlaPolicy>; reporting: ReportingSchedule | undefined } {
  const sla: Partial<SlaPolicy> = {};
  const hours = (option: string) => parsePositiveInt(ctx.values[option], option, 24 * 30);
  const first = hours('first-response-hours');
  const reminder = hours('approval-reminder-hours');
  const escalate = hours('escalate-after-hours');
  if (first !== undefined) sla.firstResponseHours = first;
  if (reminder !== undefined) sla.approvalReminderHours = reminder;
  if (escalate !== undefined) sla.escalateAfterHours = escalate;
  const business = optionalString(ctx.values, 'business-hours');
  if (business !== undefined) {
    const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(business);
    if (!m || `${m[3]}:${m[4]}` <= `${m[1]}:${m[2]}`)
      throw new UsageError(`--business-hours must look like 09:00-17:30 (got ${business})`);
    sla.businessHours = { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}`, days: [1, 2, 3, 4, 5] };
  }
  const cadence = oneOf(
    ['weekly', 'monthly', 'off'] as const,
    optionalString(ctx.values, 'report'),
    'report',
  );
  return { sla, reporting: cadence ? { cadence, weekday: 1, time: '09:00' } : undefined };
}

export const SETUP_COMMANDS: Record<string, Command> = {
  'agency set': {
    options: {
      name: { type: 'string' },
      domain: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const name = requireString(ctx.values, 'name');
      const domains = mailDomains(ctx);
      await withDatabase(ctx, async (sql) => {
        const actor = await cliActor(sql, ctx.values);
        await asUsage(sql.begin((tx) => saveAgency(tx, { name, domains }, actor, ctx.clock.now())));
      });
      print(Boolean(ctx.values.json), { name, domains }, `Agency ${name}: ${domains.join(', ')}.`);
      return 0;
    },
  },
  'agency show': {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const agency = (await withDatabase(ctx, (sql) => loadAgency(sql))) ?? { name: '', domains: [] };
      print(
        Boolean(ctx.values.json),
        agency,
        agency.domains.length > 0
          ? `Agency ${agency.name}: ${agency.domains.join(', ')}.`
          : 'No agency domains yet: agency set --name <n> --domain <d>',
      );
      return 0;
    },
  },
  'client add': {
    options: {
      name: { type: 'string' },
      code: { type: 'string' },
      domain: { type: 'string', multiple: true },
      tz: { type: 'string' },
      lead: { type: 'string' },
      'business-hours': { type: 'string' },
      'first-response-hours': { type: 'string' },
      'approval-reminder-hours': { type: 'string' },
      'escalate-after-hours': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const code = requireString(ctx.values, 'code').toUpperCase();
      const { sla, reporting } = slaOptions(ctx);
      if (!/^[A-Z][A-Z0-9]{1,11}$/.test(code))
        throw new UsageError('--code must be 2-12 capital letters and digits, starting with a letter (ACME)');
      const domains = mailDomains(ctx);
      const timeZone = optionalString(ctx.values, 'tz') ?? 'UTC';
      if (!isTimeZone(timeZone))
        throw new UsageError(`--tz is not a time zone: ${timeZone} (try Europe/Berlin)`);
      const name = requireString(ctx.values, 'name');
      const result = await withDatabase(ctx, async (sql) => {
        const accountLeadId = await userId(sql, optionalString(ctx.values, 'lead'), 'lead');
        const actor = await cliActor(sql, ctx.values);
        return asUsage(
          sql.begin((tx) =>
            saveClient(
              tx,
              { code, name, timeZone, accountLeadId, domains, sla, ...(reporting ? { reporting } : {}) },
              actor,
              ctx.clock.now(),
            ),
          ),
        );
      });
      const out = {
        id: result.id,
        code,
        name,
        domains,
        timeZone,
        lead: optionalString(ctx.values, 'lead') ?? null,
        created: result.created,
      };
      print(
        Boolean(ctx.values.json),
        out,
        `${result.created ? 'Created' : 'Updated'} client ${code} (${name}).`,
      );
      return 0;
    },
  },
  'contact add': {
    options: {
      client: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      approver: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const email = requireString(ctx.values, 'email').toLowerCase();
      if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email))
        throw new UsageError(`--email is not an email address: ${email}`);
      const name = requireString(ctx.values, 'name');
      const canApprove = Boolean(ctx.values.approver);
      const result = await withDatabase(ctx, async (sql) => {
        const client = await asUsage(findClientByCode(sql, requireString(ctx.values, 'client')));
        const actor = await cliActor(sql, ctx.values);
        const saved = await sql.begin((tx) =>
          saveContact(tx, { clientId: client.id, email, name, canApprove }, actor, ctx.clock.now()),
        );
        return { ...saved, client: client.code };
      });
      print(
        Boolean(ctx.values.json),
        { id: result.id, client: result.client, email, name, canApprove, created: result.created },
        `${result.created ? 'Added' : 'Updated'} ${email} at ${result.client}${canApprove ? ' (approver)' : ''}.`,
      );
      return 0;
    },
  },
  'deliverable add': {
    options: {
      client: { type: 'string' },
      title: { type: 'string' },
      due: { type: 'string' },
      owner: { type: 'string' },
      request: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const title = requireString(ctx.values, 'title');
      const requestId = parsePositiveInt(ctx.values.request, 'request', 2 ** 53) ?? null;
      const result = await withDatabase(ctx, async (sql) => {
        const client = await asUsage(findClientByCode(sql, requireString(ctx.values, 'client')));
        const dueAt = parseDue(optionalString(ctx.values, 'due'), client.timeZone);
        const ownerId =
          (await userId(sql, optionalString(ctx.values, 'owner'), 'owner')) ?? client.accountLeadId;
        const actor = await cliActor(sql, ctx.values);
        const now = ctx.clock.now();
        return asUsage(
          sql.begin(async (tx) => {
            if (requestId !== null) await startRequest(tx, requestId, actor, now, { clientId: client.id });
            const created = await createDeliverable(
              tx,
              { clientId: client.id, title, ownerId, dueAt, requestId },
              actor,
              now,
            );
            return { ...created, client: client.code, dueAt };
          }),
        );
      });
      print(
        Boolean(ctx.values.json),
        {
          id: result.id,
          code: result.code,
          client: result.client,
          title,
          due: result.dueAt,
          request: requestId,
        },
        result.code,
      );
      return 0;
    },
  },
  'version add': {
    options: {
      deliverable: { type: 'string' },
      file: { type: 'string', multiple: true },
      link: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const link = optionalString(ctx.values, 'link') ?? null;
      if (link !== null && !/^https?:\/\/\S+$/i.test(link))
        throw new UsageError(`--link must be an http(s) URL: ${link}`);
      const note = optionalString(ctx.values, 'note') ?? null;
      const files = await readVersionFiles(stringList(ctx.values, 'file'));
      if (files.length === 0 && link === null && note === null)
        throw new UsageError('a version needs at least one --file, --link or --note');
      const result = await withDatabase(ctx, async (sql) => {
        const deliverable = await asUsage(findDeliverable(sql, requireString(ctx.values, 'deliverable')));
        const actor = await cliActor(sql, ctx.values);
        const now = ctx.clock.now();
        return sql.begin(async (tx) => {
          await storeFileBlobs(tx, files, now);
          const saved = await addVersion(
            tx,
            {
              deliverableId: deliverable.id,
              note,
              linkUrl: link,
              files: files.map(({ bytes: _bytes, ...f }) => f),
              status: 'draft',
              sentAt: null,
              createdBy: actor.type === 'user' ? actor.id : null,
            },
            actor,
            now,
          );
          return { deliverable: deliverable.code, version: saved.number, contentHash: saved.contentHash };
        });
      });
      print(
        Boolean(ctx.values.json),
        {
          ...result,
          files: files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
          link,
          note,
        },
        `Added ${result.deliverable} v${result.version} (draft).`,
      );
      return 0;
    },
  },
  'clients list': listCommand(
    {},
    (_ctx, sql) => listClients(sql),
    (c) =>
      `${c.code}  ${c.name}  ${c.domains.join(',')}  ${c.timeZone}  lead ${c.lead ?? '-'}  ${c.contacts} contact(s), ${c.approvers} approver(s)`,
    'No clients.',
  ),
  'contacts list': listCommand(
    { client: { type: 'string' } },
    (ctx, sql) => listContacts(sql, { clientCode: optionalString(ctx.values, 'client')?.toUpperCase() }),
    (k) => `${k.client}  ${k.email}  ${k.name}${k.canApprove ? '  (approver)' : ''}`,
    'No contacts.',
  ),
  'deliverables list': listCommand(
    { client: { type: 'string' } },
    (ctx, sql) => listDeliverables(sql, { clientCode: optionalString(ctx.values, 'client')?.toUpperCase() }),
    (d) =>
      `${d.code}  ${d.status}  ${d.title}  due ${d.dueAt?.toISOString() ?? '-'}  ` +
      (d.versions.map((v) => `v${v.number} ${v.status}`).join(', ') || 'no versions'),
    'No deliverables.',
  ),
};
