import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX_SESSION_LOCK_NAMESPACE } from '../../src/db/locks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type Dovecot, type DovecotUser, skipWithoutDovecot, startDovecot } from '../helpers/dovecot.js';
import { appendMany, clientMessage, imapClient, imapEnv } from '../helpers/imap.js';
import { exited, spawnWorker } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Crashes on both sides of the connection, with real processes: nothing lost, nothing duplicated.
 */
describe.skipIf(skipWithoutDovecot())('ingestion survives crashes', () => {
  let dovecot: Dovecot;
  const children: ChildProcess[] = [];
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    for (const db of dbs.splice(0)) await db.drop();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const workerEnv = (db: TestDatabase, user: DovecotUser) => ({
    DATABASE_URL: db.url,
    APP_SECRET: 'resilience-test-secret-resilience-test-secret',
    ...imapEnv(dovecot, user),
  });
  const worker = (db: TestDatabase, user: DovecotUser) => {
    const child = spawnWorker(workerEnv(db, user));
    children.push(child);
    return child;
  };
  const fresh = async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  };
  const counts = async (db: TestDatabase) => {
    const [row] = await db.sql<{ stored: number; processed: number; failed: number; messages: number }[]>`
      select count(*)::int as stored,
             count(*) filter (where process_state = 'processed')::int as processed,
             count(*) filter (where process_state = 'failed')::int as failed,
             (select count(*)::int from messages) as messages
      from raw_messages`;
    return row as { stored: number; processed: number; failed: number; messages: number };
  };
  const messages = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => clientMessage({ subject: `${prefix} ${i}` }));

  it('a worker SIGKILLed during a backfill of 2,000 messages ends with exactly 2,000 stored and processed', async () => {
    const user = await dovecot.addUser('sigkill');
    await appendMany(dovecot, user, messages(2000, 'Backfill'));
    const db = await fresh();

    const first = worker(db, user);
    await waitFor('part of the backfill', async () => (await counts(db)).stored >= 400, 60_000, 50);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await counts(db);
    expect(atKill.stored).toBeLessThan(2000);

    worker(db, user);
    const done = await waitFor(
      'the rest after restart',
      async () => {
        const c = await counts(db);
        return c.processed === 2000 && c;
      },
      120_000,
      200,
    );
    expect(done).toEqual({ stored: 2000, processed: 2000, failed: 0, messages: 2000 });
    const [dupes] =
      await db.sql`select count(*)::int as n from (select uid from raw_messages group by uid having count(*) > 1) d`;
    expect(dupes?.n).toBe(0);
  });

  it('Dovecot killed and restarted during a backfill: the worker reconnects and finishes', async () => {
    const user = await dovecot.addUser('dovecot-crash');
    await appendMany(dovecot, user, messages(800, 'Crash'));
    const db = await fresh();
    const child = worker(db, user);
    await waitFor('part of the backfill', async () => (await counts(db)).stored >= 100, 60_000, 20);
    await dovecot.restart();
    expect((await counts(db)).stored).toBeLessThan(800);
    const done = await waitFor(
      'the backfill after the server came back',
      async () => {
        const c = await counts(db);
        return c.processed === 800 && c;
      },
      120_000,
      200,
    );
    expect(done).toEqual({ stored: 800, processed: 800, failed: 0, messages: 800 });
    expect(child.output()).toContain('IMAP session ended; reconnecting after a pause.');
  });

  it('three workers: one IMAP session per mailbox, another takes over within 30 s when it dies', async () => {
    const user = await dovecot.addUser('fleet');
    await appendMany(dovecot, user, messages(50, 'Fleet'));
    const db = await fresh();
    const fleet = [worker(db, user), worker(db, user), worker(db, user)];
    await waitFor('initial sync', async () => (await counts(db)).processed === 50, 60_000, 200);

    const holders = async () => {
      const rows = await db.sql<{ applicationName: string }[]>`
        select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.classid = ${MAILBOX_SESSION_LOCK_NAMESPACE} and l.granted
          and l.database = (select oid from pg_database where datname = current_database())`;
      return rows.map((r) => Number(r.applicationName.split(':').pop()));
    };
    const [holder, ...others] = await holders();
    expect(others).toEqual([]);
    const owner = fleet.find((c) => c.pid === holder);
    expect(owner).toBeDefined();

    owner?.kill('SIGKILL');
    await exited(owner as ChildProcess);
    const client = await imapClient(dovecot, user);
    await client.append('INBOX', clientMessage({ subject: 'After the takeover' }));
    await client.logout();
    await waitFor(
      'takeover and the new message',
      async () => (await counts(db)).processed === 51,
      30_000,
      200,
    );
    const [next, ...rest] = await holders();
    expect(rest).toEqual([]);
    expect(next).not.toBe(holder);
    expect(fleet.some((c) => c.pid === next)).toBe(true);
    expect(await counts(db)).toMatchObject({ stored: 51, messages: 51 });
  });
});
