import type { Clock } from '../clock.js';
import type { Sql } from '../db/index.js';
import { LOCKS } from '../db/locks.js';
import type { VersionStatus } from '../domain/approval-rules.js';
import { SYSTEM } from '../domain/audit.repo.js';
import { saveClient, saveContact } from '../domain/clients.repo.js';
import { addVersion, createDeliverable, type DeliverableStatus } from '../domain/deliverables.repo.js';
import { findUserByEmail, setPasswordHash, type UserRole, upsertUser } from '../domain/users.repo.js';
import { projectPath } from '../files.js';
import { drainQueue } from '../ingest/queue.js';
import type { Logger } from '../log.js';
import { importPaths } from '../mailsource/import-files.js';
import { deriveKey, hashPassword, verifyPassword } from '../secrets.js';

/**
 * Demo agency for a first start without IMAP settings: Brightline Studio with three clients, their
 * contacts and approvers, deliverables with versions in different states, and client threads imported
 * from the bundled .eml files through the same import path an operator uses.
 */

export const DEMO_EMAILS_DIR = projectPath('src/demo/emails/');
export const DEMO_LOGIN_EMAIL = 'maya@brightline.example';

const USERS: { email: string; name: string; role: UserRole }[] = [
  { email: DEMO_LOGIN_EMAIL, name: 'Maya Lopez', role: 'admin' },
  { email: 'jonas@brightline.example', name: 'Jonas Weber', role: 'lead' },
  { email: 'priya.nair@brightline.example', name: 'Priya Nair', role: 'member' },
];

interface DemoVersion {
  status: VersionStatus;
  sentAt: string | null;
  note: string;
}

interface DemoClient {
  code: string;
  name: string;
  domain: string;
  timeZone: string;
  lead: string;
  contacts: { email: string; name: string; canApprove: boolean }[];
  deliverables: { title: string; status: DeliverableStatus; due: string | null; versions: DemoVersion[] }[];
}

const CLIENTS: DemoClient[] = [
  {
    code: 'ACME',
    name: 'Acme Outdoor',
    domain: 'acme-outdoor.example',
    timeZone: 'America/New_York',
    lead: DEMO_LOGIN_EMAIL,
    contacts: [
      { email: 'sarah.chen@acme-outdoor.example', name: 'Sarah Chen', canApprove: true },
      { email: 'tom.baker@acme-outdoor.example', name: 'Tom Baker', canApprove: false },
      { email: 'olivia.grant@acme-outdoor.example', name: 'Olivia Grant', canApprove: false },
    ],
    deliverables: [
      {
        title: 'Spring campaign landing page',
        status: 'approved',
        due: '2026-11-13T17:00:00-05:00',
        versions: [
          {
            status: 'changes_requested',
            sentAt: '2026-11-03T10:15:00-05:00',
            note: 'First layout with hero video.',
          },
          {
            status: 'approved',
            sentAt: '2026-11-10T14:02:00-05:00',
            note: 'Shorter headline, new CTA colour.',
          },
        ],
      },
      {
        title: 'Webinar LinkedIn banners (3 sizes)',
        status: 'in_review',
        due: '2026-11-20T17:00:00-05:00',
        versions: [
          {
            status: 'in_review',
            sentAt: '2026-11-20T11:30:00-05:00',
            note: '1200x627, 1080x1080, 1584x396.',
          },
        ],
      },
      { title: 'Q1 catalogue cover', status: 'draft', due: '2026-12-11T17:00:00-05:00', versions: [] },
    ],
  },
  {
    code: 'HELIOS',
    name: 'Helios Kaffeerösterei',
    domain: 'helios-kaffee.example',
    timeZone: 'Europe/Berlin',
    lead: 'jonas@brightline.example',
    contacts: [
      { email: 'katrin.vogel@helios-kaffee.example', name: 'Katrin Vogel', canApprove: true },
      { email: 'lukas.meyer@helios-kaffee.example', name: 'Lukas Meyer', canApprove: false },
    ],
    deliverables: [
      {
        title: 'Holiday packaging label',
        status: 'in_review',
        due: '2026-11-27T16:00:00+01:00',
        versions: [
          {
            status: 'changes_requested',
            sentAt: '2026-11-05T09:40:00+01:00',
            note: 'Erster Entwurf, Goldfolie.',
          },
          { status: 'in_review', sentAt: '2026-11-16T10:12:00+01:00', note: 'Logo größer, neue Typo.' },
        ],
      },
      {
        title: 'Instagram reel storyboard',
        status: 'approved',
        due: null,
        versions: [
          { status: 'approved', sentAt: '2026-11-09T15:20:00+01:00', note: '12 frames, 30 seconds.' },
        ],
      },
    ],
  },
  {
    code: 'LUMEN',
    name: 'Lumen Health',
    domain: 'lumenhealth.example',
    timeZone: 'Europe/London',
    lead: DEMO_LOGIN_EMAIL,
    contacts: [
      { email: 'amara.okafor@lumenhealth.example', name: 'Dr. Amara Okafor', canApprove: true },
      { email: 'daniel.reed@lumenhealth.example', name: 'Daniel Reed', canApprove: true },
      { email: 'grace.liu@lumenhealth.example', name: 'Grace Liu', canApprove: false },
    ],
    deliverables: [
      {
        title: 'Patient information brochure',
        status: 'in_review',
        due: '2026-11-30T17:00:00+00:00',
        versions: [{ status: 'in_review', sentAt: '2026-11-12T11:00:00+00:00', note: '8 pages, A5.' }],
      },
      {
        title: 'Annual report infographic',
        status: 'in_review',
        due: '2026-12-04T17:00:00+00:00',
        versions: [{ status: 'in_review', sentAt: '2026-11-18T09:30:00+00:00', note: 'Two-page spread.' }],
      },
    ],
  },
];

/** The demo password is derived from the app secret: printed at every start, stored nowhere in clear. */
export function demoPassword(appSecret: string): string {
  return deriveKey(appSecret, 'demo-login').toString('base64url').slice(0, 16);
}

export async function isDemoSeeded(sql: Sql): Promise<boolean> {
  const [row] = await sql`select 1 from settings where key = 'demo'`;
  return row !== undefined;
}

async function seedEntities(sql: Sql, passwordHash: string, now: Date): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCKS.demoSeed})`;
    const [done] = await tx`select 1 from settings where key = 'demo'`;
    if (done) return false;
    await tx`
      insert into settings (key, value) values
        ('agency', ${tx.json({ name: 'Brightline Studio', domains: ['brightline.example'] })}),
        ('demo', ${tx.json({ seededAt: now.toISOString() })})
      on conflict (key) do update set value = excluded.value`;
    const userIds = new Map<string, number>();
    for (const u of USERS) {
      const { user } = await upsertUser(tx, { ...u, passwordHash }, SYSTEM, now);
      userIds.set(u.email, user.id);
    }
    for (const c of CLIENTS) {
      const leadId = userIds.get(c.lead) ?? null;
      const { id: clientId } = await saveClient(
        tx,
        { code: c.code, name: c.name, timeZone: c.timeZone, accountLeadId: leadId, domains: [c.domain] },
        SYSTEM,
        now,
      );
      for (const contact of c.contacts) await saveContact(tx, { clientId, ...contact }, SYSTEM, now);
      for (const d of c.deliverables) {
        const { id, code } = await createDeliverable(
          tx,
          {
            clientId,
            title: d.title,
            ownerId: leadId,
            dueAt: d.due ? new Date(d.due) : null,
            status: d.status,
          },
          SYSTEM,
          now,
        );
        for (const [index, v] of d.versions.entries()) {
          await addVersion(
            tx,
            {
              deliverableId: id,
              note: v.note,
              linkUrl: `https://files.brightline.example/${c.code.toLowerCase()}/${code}/v${index + 1}`,
              files: [],
              status: v.status,
              sentAt: v.sentAt ? new Date(v.sentAt) : null,
              createdBy: leadId,
            },
            SYSTEM,
            now,
          );
        }
      }
    }
    return true;
  });
}

/**
 * Seeds the demo agency once (safe when several processes start together), imports the demo mail,
 * and makes sure the demo login works with the current app secret.
 */
export async function seedDemo(sql: Sql, appSecret: string, clock: Clock, log: Logger): Promise<void> {
  const password = demoPassword(appSecret);
  const seeded = await seedEntities(sql, await hashPassword(password), clock.now());
  const report = await importPaths(sql, [DEMO_EMAILS_DIR], clock);
  const processed = await drainQueue(sql, clock, log);
  if (seeded || report.added > 0) {
    log.info({ imported: report.added, ...processed }, 'Demo data loaded.');
  }
  const user = await findUserByEmail(sql, DEMO_LOGIN_EMAIL);
  if (user && !(user.passwordHash && (await verifyPassword(password, user.passwordHash)))) {
    // The app secret changed since seeding (for example a new DATA_DIR): re-derive the demo login.
    const hash = await hashPassword(password);
    await sql.begin((tx) => setPasswordHash(tx, user.id, hash, SYSTEM, clock.now()));
  }
}
