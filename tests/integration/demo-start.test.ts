import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type StartedApp, startApp } from '../helpers/process.js';

/** Signs in over plain HTTP as a browser would: login CSRF cookie + hidden field, then the session cookie. */
async function signIn(url: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${url}/login`);
  const loginCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, cookie: loginCookie },
    body: new URLSearchParams({ _csrf: token, email, password, next: '/threads' }),
  });
  expect(response.status).toBe(303);
  const session = response.headers.getSetCookie().find((c) => c.startsWith('signoff_session='));
  expect(session).toBeDefined();
  return (session as string).split(';')[0] as string;
}

describe('npm start with demo data', () => {
  let db: TestDatabase;
  let apps: StartedApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    // Two processes against one empty database at the same moment: they must migrate and seed once.
    apps = await Promise.all([startApp({ DATABASE_URL: db.url }), startApp({ DATABASE_URL: db.url })]);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.drop();
  });

  it('migrated and seeded exactly once', async () => {
    const [migrations] =
      await db.sql`select count(*)::int as n, count(distinct version)::int as d from schema_migrations`;
    expect(migrations?.n).toBe(migrations?.d);
    const [counts] = await db.sql`
      select (select count(*)::int from clients) as clients, (select count(*)::int from users) as users,
             (select count(*)::int from threads) as threads, (select count(*)::int from raw_messages) as raws,
             (select count(*)::int from raw_messages where process_state <> 'processed') as unprocessed`;
    expect(counts).toEqual({ clients: 3, users: 3, threads: 30, raws: 69, unprocessed: 0 });
  });

  it('has an agency with approvers and deliverables with versions in different states', async () => {
    const approvers = await db.sql`select email from contacts where can_approve order by email`;
    expect(approvers.map((a) => a.email)).toEqual([
      'amara.okafor@lumenhealth.example',
      'daniel.reed@lumenhealth.example',
      'katrin.vogel@helios-kaffee.example',
      'sarah.chen@acme-outdoor.example',
    ]);
    const versions = await db.sql`
      select d.code, v.number, v.status from versions v join deliverables d on d.id = v.deliverable_id
      order by d.code, v.number`;
    expect(new Set(versions.map((v) => v.status))).toEqual(
      new Set(['approved', 'changes_requested', 'in_review']),
    );
    const [draft] = await db.sql`select status from deliverables where code = 'ACME-3'`;
    expect(draft?.status).toBe('draft');
  });

  it('prints a demo login that shows the demo threads', async () => {
    const app = apps[0] as StartedApp;
    expect(app.login?.email).toBe('maya@brightline.example');
    expect(apps[1]?.login).toEqual(app.login);
    const cookie = await signIn(app.url, app.login?.email ?? '', app.login?.password ?? '');
    const page = await fetch(`${app.url}/threads`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.match(/data-thread-id=/g)).toHaveLength(30);
    expect(html).toContain('[ACME-1 v2] Spring campaign landing page');
    expect(html).toContain('Anfrage: Weihnachts-Newsletter');
  });

  it('threads replies with the messages they answer and marks the agency side as outbound', async () => {
    const threads = await db.sql`
      select t.subject, t.status, t.message_count, c.code, d.code as deliverable
      from threads t left join clients c on c.id = t.client_id left join deliverables d on d.id = t.deliverable_id
      where t.subject like '[LUMEN-2 v1]%'`;
    expect(threads).toEqual([
      expect.objectContaining({
        code: 'LUMEN',
        deliverable: 'LUMEN-2',
        messageCount: 5,
        status: 'waiting_on_client',
      }),
    ]);
    const [unknown] = await db.sql`select count(*)::int as n from threads where client_id is null`;
    expect(unknown?.n).toBe(0);
    const [auto] =
      await db.sql`select intent, automated from messages where subject like 'Automatic reply:%'`;
    expect(auto).toEqual({ intent: 'auto_reply', automated: 'auto_reply' });
  });

  it('answers /healthz with the database status without a login', async () => {
    const response = await fetch(`${apps[1]?.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      messages: { stored: 69, processed: 69, failed: 0, queued: 0 },
      mailboxes: [],
    });
  });

  it('refuses the dashboard and API without a session', async () => {
    const url = apps[0]?.url;
    const page = await fetch(`${url}/threads`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fthreads');
    const api = await fetch(`${url}/api/me`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } });
  });

  it('stops cleanly on SIGTERM', async () => {
    const codes = await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    expect(codes).toEqual([0, 0]);
  });
});
