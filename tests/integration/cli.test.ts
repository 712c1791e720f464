import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ROOT, runCli, startApp } from '../helpers/process.js';

const FIXTURES = path.join(ROOT, 'tests/fixtures/emails/import');

describe('cli', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('prints help', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run -s cli -- <command>');
    expect(result.stdout).toContain('--now <ISO time>');
    // Each command is listed once.
    expect(result.stdout.match(/^ {2}mailbox list/gm)).toHaveLength(1);
  });

  it('exits non-zero with one line on a bad command, option or --now', async () => {
    for (const args of [
      ['frobnicate'],
      ['migrate', '--bogus'],
      ['migrate', '--now', 'yesterday'],
      ['import'],
    ]) {
      const result = await runCli(args, { DATABASE_URL: db.url });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^signoff: /);
    }
  });

  it('refuses a bad configuration before opening any socket, naming each variable', async () => {
    const result = await runCli(['migrate'], { PORT: 'abc', DATABASE_URL: 'not a url' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT: must be a whole number');
    expect(result.stderr).toContain('DATABASE_URL: must be a URL');
  });

  it('npm start with PORT=abc exits non-zero naming PORT', async () => {
    await expect(startApp({ PORT: 'abc', DATABASE_URL: db.url })).rejects.toThrow(
      /exited with 78[\s\S]*PORT/,
    );
  });

  it('imports .eml files and mbox files idempotently, with the --now clock', async () => {
    const first = await runCli(['import', FIXTURES, '--json', '--now', '2026-11-20T08:00:00Z'], {
      DATABASE_URL: db.url,
    });
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ files: 2, messages: 3, added: 3, unchanged: 0, errors: [] });
    expect(report.processed).toMatchObject({ processed: 3, failed: 0 });

    const second = await runCli(['import', FIXTURES, '--json'], { DATABASE_URL: db.url });
    expect(JSON.parse(second.stdout)).toMatchObject({ added: 0, unchanged: 3 });

    const [stored] = await db.sql`select count(*)::int as n, min(stored_at) as at from raw_messages`;
    expect(stored?.n).toBe(3);
    expect((stored?.at as Date | undefined)?.toISOString()).toBe('2026-11-20T08:00:00.000Z');
    // The reply inside the mbox joined the first message's thread; the mboxrd ">From " was unescaped.
    const threads = await db.sql`select subject, message_count from threads order by id`;
    expect(threads.map((t) => [t.subject, t.messageCount])).toEqual([
      ['Menu cards for the spring tasting', 2],
      ['Photos for the menu cards', 1],
    ]);
    const [reply] =
      await db.sql`select text_body from messages where message_id_header = 'menu-cards-0002@orchard-foods.example'`;
    expect(reply?.textBody).toContain('\nFrom the kitchen');
  });

  it('reports a missing path and keeps going', async () => {
    const result = await runCli(['import', '/nonexistent/mail', FIXTURES, '--json'], {
      DATABASE_URL: db.url,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].path).toBe('/nonexistent/mail');
    expect(report.unchanged).toBe(3);
  });

  it('reports ingestion status as JSON and retries failed messages', async () => {
    await db.sql`update raw_messages set process_state = 'failed', last_error_code = 'PROCESS_FAILED', last_error = 'test'
      where id = (select min(id) from raw_messages)`;
    const status = await runCli(['status', '--json'], { DATABASE_URL: db.url });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      messages: { stored: 3, processed: 2, failed: 1, queued: 0 },
      mailboxes: [],
    });
    const [failed] = await db.sql`select id from raw_messages where process_state = 'failed'`;
    const retried = await runCli(['retry', String(failed?.id), '--json'], { DATABASE_URL: db.url });
    expect(JSON.parse(retried.stdout)).toMatchObject({ queued: 1, processed: 1, failed: 0 });
    expect((await runCli(['retry', '--all-failed', '--json'], { DATABASE_URL: db.url })).stdout).toContain(
      '"queued":0',
    );
    expect((await runCli(['retry'], { DATABASE_URL: db.url })).code).toBe(2);
  });

  it('adds, lists and removes mailboxes, keeping the password sealed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-cli-'));
    const secretFile = path.join(dir, 'imap-password');
    await fs.writeFile(secretFile, 'correct horse battery staple\n');
    const env = { DATABASE_URL: db.url, APP_SECRET: 'cli-test-secret-cli-test-secret-cli-test' };
    const added = await runCli(
      [
        'mailbox',
        'add',
        '--name',
        'studio',
        '--host',
        'imap.studio.example',
        '--user',
        'inbox@studio.example',
        '--password-file',
        secretFile,
        '--json',
      ],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      created: true,
      port: 993,
      tls: true,
      folders: ['INBOX', '\\Sent'],
    });
    expect(added.stdout).not.toContain('horse');
    const [row] = await db.sql<
      { passwordEnc: Buffer }[]
    >`select password_enc from mailboxes where name = 'studio'`;
    expect(row?.passwordEnc.toString('latin1')).not.toContain('horse');

    const list = JSON.parse((await runCli(['mailbox', 'list', '--json'], env)).stdout);
    expect(list).toEqual([
      expect.objectContaining({ name: 'studio', host: 'imap.studio.example', enabled: true }),
    ]);
    expect(JSON.stringify(list)).not.toContain('password');

    const removed = await runCli(['mailbox', 'remove', 'studio', '--json'], env);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 'deleted' });
    const missing = await runCli(['mailbox', 'remove', 'studio'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No mailbox named studio');
    await fs.rm(dir, { recursive: true });
  });

  it('adds a user who can sign in, reading the password from a file', async () => {
    const result = await runCli(
      ['user', 'add', '--email', 'Lee@Studio.example', '--name', 'Lee Park', '--admin', '--json'],
      {
        DATABASE_URL: db.url,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ email: 'lee@studio.example', role: 'admin', created: true });
    expect(out.password).toMatch(/^[\w-]{16}$/);
    const [user] = await db.sql`select password_hash from users where email = 'lee@studio.example'`;
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    const [audit] =
      await db.sql`select action from audit_events where subject_type = 'user' order by id desc limit 1`;
    expect(audit?.action).toBe('user.created');
  });
});
