import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN_EMAIL } from '../../src/demo/seed.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { requireRealServices } from '../helpers/services.js';
import { startDemoWeb } from '../helpers/web.js';

const available = chromiumPath() !== null;

describe.skipIf(!available && !requireRealServices)('dashboard in Chromium', () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startDemoWeb>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!available) throw new Error('Chromium is not installed: apt-get install chromium');
    db = await createTestDatabase();
    web = await startDemoWeb(db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await db?.drop();
  });

  it('signs in with the demo login and shows the demo threads', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/threads`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#email', DEMO_LOGIN_EMAIL);
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('Wrong email or password');

    await page.fill('#password', web.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/threads`);
    const rows = page.locator('tr[data-thread-id]');
    expect(await rows.count()).toBe(30);
    await expect(page.locator('body').textContent()).resolves.toContain('Spring campaign landing page');

    await page.click('text=[LUMEN-2 v1] Annual report infographic');
    await expect(page.locator('h1').textContent()).resolves.toContain('Annual report infographic');
    expect(await page.locator('article.card').count()).toBe(5);
    // Quoted history is collapsed, not shown as new text.
    expect(await page.locator('details[open]').count()).toBe(0);

    await page.click('text=Ingestion health');
    await expect(page.locator('#counts').textContent()).resolves.toContain('69 processed');
    await expect(page.locator('body').textContent()).resolves.toContain('No failed messages.');
    await page.close();
  });

  it('sends a signed-out visitor to the login page and keeps the session cookie away from scripts', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/threads/1`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#email', DEMO_LOGIN_EMAIL);
    await page.fill('#password', web.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/threads/1`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'signoff_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    await page.click('text=Sign out');
    await page.waitForURL(/\/login$/);
    await page.goto(`${web.url}/threads`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('lists approvals that need a lead, and confirms or dismisses one with a click, audited', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/decisions`);
    await page.fill('#email', DEMO_LOGIN_EMAIL);
    await page.fill('#password', web.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/decisions`);
    const rows = page.locator('tr[data-decision-id]');
    const pending = await rows.count();
    expect(pending).toBeGreaterThanOrEqual(2);
    // The demo mail carries no reply tokens: each decision says why it waits.
    await expect(page.locator('#decisions').textContent()).resolves.toMatch(
      /Not tied to a version|Approved with conditions/,
    );

    const first = await rows.nth(0).getAttribute('data-decision-id');
    await rows.nth(0).locator('button:has-text("Dismiss")').click();
    await page.waitForURL(/settled=dismissed/);
    await expect(page.locator('[role=status]').textContent()).resolves.toBe('Decision dismissed.');
    expect(await page.locator(`tr[data-decision-id="${first}"]`).count()).toBe(0);

    const second = await rows.nth(0).getAttribute('data-decision-id');
    await rows.nth(0).locator('button:has-text("Confirm")').click();
    await page.waitForURL(/settled=confirmed/);
    expect(await rows.count()).toBe(pending - 2);
    await page.click('nav.filters >> text=Confirmed');
    expect(await page.locator(`tr[data-decision-id="${second}"]`).count()).toBe(1);
    // The thread shows the decision on the message that made it.
    await page.locator(`tr[data-decision-id="${second}"] a`).first().click();
    await expect(page.locator('article.card .meta').allTextContents()).resolves.toContainEqual(
      expect.stringContaining('confirmed'),
    );

    const audit = await db.sql`
      select action, actor_type from audit_events where subject_type = 'approval' and subject_id in ${db.sql([String(first), String(second)])}
        and action in ('approval.dismissed', 'approval.confirmed') order by id`;
    expect(audit.map((a) => [a.action, a.actorType])).toEqual([
      ['approval.dismissed', 'user'],
      ['approval.confirmed', 'user'],
    ]);
    await page.close();
  });

  it('lists client requests with their due dates, and starts one with a click', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/requests`);
    await page.fill('#email', DEMO_LOGIN_EMAIL);
    await page.fill('#password', web.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/requests`);
    const rows = page.locator('tr[data-request-id]');
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    const first = rows.nth(0);
    const id = await first.getAttribute('data-request-id');
    await first.locator('button:has-text("Start")').click();
    await page.waitForURL(/started=/);
    await expect(page.locator(`tr[data-request-id="${id}"] .chip`).textContent()).resolves.toBe(
      'in progress',
    );
    const [request] = await db.sql`select status, started_at from requests where id = ${Number(id)}`;
    expect(request?.status).toBe('in_progress');
    expect(request?.startedAt).toBeInstanceOf(Date);
    await page.close();
  });

  it('lets only leads and admins settle a decision', async () => {
    const { hashPassword } = await import('../../src/secrets.js');
    const { upsertUser } = await import('../../src/domain/users.repo.js');
    const { SYSTEM } = await import('../../src/domain/audit.repo.js');
    const password = 'member password 123';
    const passwordHash = await hashPassword(password);
    await db.sql.begin((tx) =>
      upsertUser(
        tx,
        { email: 'junior@brightline.example', name: 'Junior', role: 'member', passwordHash },
        SYSTEM,
        new Date(),
      ),
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/login`);
    await page.fill('#email', 'junior@brightline.example');
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/threads`);
    const me = await (await context.request.get(`${web.url}/api/me`)).json();
    const [pending] =
      await db.sql`select id from approvals where status = 'needs_confirmation' order by id limit 1`;
    const response = await context.request.post(`${web.url}/decisions/${pending?.id}/confirm`, {
      form: { _csrf: me.csrfToken },
      headers: { origin: web.url },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    const [after] = await db.sql`select status from approvals where id = ${pending?.id}`;
    expect(after?.status).toBe('needs_confirmation');
    await context.close();
  });
});
