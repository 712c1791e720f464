import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { isAppError } from '../../src/errors.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/process.js';

describe('migrations', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((db) => db.drop()));
  });
  const fresh = async () => {
    const db = await createTestDatabase({ migrated: false });
    dbs.push(db);
    return db;
  };

  it('applies every migration once and is idempotent', async () => {
    const db = await fresh();
    const all = await readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect((await migrate(db.sql, quietLog)).applied).toEqual(all.map((m) => m.version));
    expect((await migrate(db.sql, quietLog)).applied).toEqual([]);
    const rows = await db.sql`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
  });

  it('creates the whole domain with unique idempotency keys', async () => {
    const db = await fresh();
    await migrate(db.sql, quietLog);
    const tables = await db.sql<{ tableName: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public'`;
    expect(tables.map((t) => t.tableName)).toEqual(
      expect.arrayContaining([
        'clients',
        'client_domains',
        'contacts',
        'users',
        'sessions',
        'mailboxes',
        'mailbox_folders',
        'raw_messages',
        'messages',
        'threads',
        'requests',
        'deliverables',
        'versions',
        'feedback',
        'approvals',
        'outbox',
        'audit_events',
        'job_runs',
        'settings',
      ]),
    );
    const unique = await db.sql<{ indexname: string }[]>`
      select indexname from pg_indexes where schemaname = 'public' and indexdef like 'CREATE UNIQUE%'`;
    expect(unique.map((u) => u.indexname)).toEqual(
      expect.arrayContaining([
        'raw_messages_imap_key',
        'raw_messages_non_imap_sha256_key',
        'messages_dedupe_key',
        'requests_origin_message_key',
        'feedback_version_message_key',
        'approvals_message_key',
        'outbox_idempotency_key',
        'outbox_message_id_key',
        'job_runs_job_run_key',
        'versions_deliverable_number_key',
        'deliverables_code_key',
        'contacts_client_email_key',
        'mailbox_folders_mailbox_path_key',
      ]),
    );
  });

  it('keeps the audit trail append-only', async () => {
    const db = await fresh();
    await migrate(db.sql, quietLog);
    await db.sql`insert into audit_events (actor_type, action, subject_type, subject_id) values ('system', 'x', 'y', '1')`;
    await expect(db.sql`update audit_events set action = 'changed'`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from audit_events`).rejects.toThrow(/append-only/);
  });

  it('refuses to start when a landed migration was edited, and rolls back a failing one whole', async () => {
    const db = await fresh();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-migrations-'));
    await fs.writeFile(path.join(dir, '00001_one.sql'), 'create table one (id int);');
    await migrate(db.sql, quietLog, dir);
    await fs.writeFile(path.join(dir, '00001_one.sql'), 'create table one (id bigint);');
    const changed = await migrate(db.sql, quietLog, dir).catch((e: unknown) => e);
    expect(isAppError(changed, 'MIGRATION_CHANGED')).toBe(true);

    await fs.writeFile(path.join(dir, '00001_one.sql'), 'create table one (id int);');
    await fs.writeFile(
      path.join(dir, '00002_two.sql'),
      'create table two (id int);\nselect no_such_function();',
    );
    const failed = await migrate(db.sql, quietLog, dir).catch((e: unknown) => e);
    expect(isAppError(failed, 'MIGRATION_FAILED')).toBe(true);
    const [two] = await db.sql`select to_regclass('two') as t`;
    expect(two?.t).toBeNull();
    await fs.rm(dir, { recursive: true });
  });

  it('migrates once when two processes start together', async () => {
    const db = await fresh();
    const [a, b] = await Promise.all([
      runCli(['migrate', '--json'], { DATABASE_URL: db.url }),
      runCli(['migrate', '--json'], { DATABASE_URL: db.url }),
    ]);
    expect(a?.code, a?.stderr).toBe(0);
    expect(b?.code, b?.stderr).toBe(0);
    const applied: number[][] = [
      JSON.parse(a?.stdout ?? '{}').applied,
      JSON.parse(b?.stdout ?? '{}').applied,
    ];
    const all = (await readMigrations()).map((m) => m.version);
    // Each migration is applied exactly once, by one process or the other, each in order (the two may
    // take turns: the lock is per migration).
    expect(applied.flat().sort((x, y) => x - y)).toEqual(all);
    for (const list of applied) expect(list).toEqual([...list].sort((x, y) => x - y));
    const [count] = await db.sql`select count(*)::int as n from schema_migrations`;
    expect(count?.n).toBe(all.length);
  });
});
