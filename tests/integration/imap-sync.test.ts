import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { ingestionStatus } from '../../src/ingest/health.repo.js';
import { DEFAULT_PROCESS_OPTIONS } from '../../src/ingest/queue.js';
import { sha256Hex } from '../../src/ingest/raw-store.repo.js';
import { startProcessingLoop } from '../../src/ingest/worker.js';
import { startMailboxSupervisor } from '../../src/mailsource/supervisor.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';
import { type Dovecot, type DovecotUser, skipWithoutDovecot, startDovecot } from '../helpers/dovecot.js';
import { clientMessage, imapClient } from '../helpers/imap.js';
import { malformedCases } from '../helpers/malformed.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'imap-sync-test-secret-imap-sync-test-secret';

describe.skipIf(skipWithoutDovecot())('IMAP sync against Dovecot', () => {
  let dovecot: Dovecot;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  /** A worker (sync + processing) for one IMAP user over a fresh database, in this process. */
  async function startWorker(user: DovecotUser, env: Record<string, string> = {}, existing?: TestDatabase) {
    const db = existing ?? (await createTestDatabase());
    const parsed = parseConfig({
      IMAP_HOST: dovecot.host,
      IMAP_PORT: String(dovecot.port),
      IMAP_TLS: 'false',
      IMAP_USER: user.user,
      IMAP_PASSWORD: user.password,
      RECONCILE_INTERVAL_SECONDS: '10',
      ...env,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config = parsed.config;
    const processing = startProcessingLoop(db.sql, systemClock, quietLog, DEFAULT_PROCESS_OPTIONS);
    const supervisor = startMailboxSupervisor({
      sql: db.sql,
      clock: systemClock,
      log: quietLog,
      settings: config.ingest,
      appSecret: SECRET,
      envMailbox: config.imap,
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await supervisor.stop();
      await processing.stop();
    };
    cleanups.push(async () => {
      await stop();
      if (!existing) await db.drop();
    });
    return { db, stop };
  }

  const counts = async (db: TestDatabase) => {
    const [row] = await db.sql<{ stored: number; processed: number; messages: number }[]>`
      select (select count(*)::int from raw_messages) as stored,
             (select count(*)::int from raw_messages where process_state = 'processed') as processed,
             (select count(*)::int from messages) as messages`;
    return row as { stored: number; processed: number; messages: number };
  };

  it('backfills the window from INBOX and Sent without changing the mailbox, then sees new mail through IDLE', async () => {
    const user = await dovecot.addUser('backfill');
    const client = await imapClient(dovecot, user);
    const old = new Date(Date.now() - 200 * 86_400_000);
    await client.append('INBOX', clientMessage({ subject: 'Too old', date: old }), [], old);
    await client.append('INBOX', clientMessage({ subject: 'Recent one' }));
    await client.append('INBOX', clientMessage({ subject: 'Recent two' }), ['\\Seen']);
    await client.append(
      'Sent',
      clientMessage({ subject: 'Re: Recent one', from: 'Maya <maya@studio.example>' }),
      ['\\Seen'],
    );

    // The sweep runs only hourly here: new mail below can only arrive through IDLE.
    const { db } = await startWorker(user, { RECONCILE_INTERVAL_SECONDS: '3600' });
    await waitFor('backfill', async () => {
      const c = await counts(db);
      return c.processed === 3 && c.messages === 3;
    });
    const rows = await db.sql`
      select m.subject, m.direction, f.path, 'backfill' = any(r.flags) as backfill
      from raw_messages r join messages m on m.id = r.message_id join mailbox_folders f on f.id = r.folder_id
      order by m.subject`;
    expect(rows.map((r) => [r.subject, r.direction, r.path, r.backfill])).toEqual([
      ['Re: Recent one', 'outbound', 'Sent', true],
      ['Recent one', 'inbound', 'INBOX', true],
      ['Recent two', 'inbound', 'INBOX', true],
    ]);

    // Read-only: nothing we did marked anything as read.
    const lock = await client.getMailboxLock('INBOX');
    const flags = await client.fetchAll('1:*', { uid: true, flags: true });
    lock.release();
    expect(flags.map((m) => [...(m.flags ?? [])].filter((f) => f !== '\\Recent'))).toEqual([
      [],
      [],
      ['\\Seen'],
    ]);

    await client.append('INBOX', clientMessage({ subject: 'Arrived live' }));
    await waitFor('IDLE delivery', async () => (await counts(db)).processed === 4);
    await client.logout();

    const status = await ingestionStatus(db.sql, new Date());
    expect(status.messages).toEqual({ stored: 4, processed: 4, failed: 0, queued: 0 });
    expect(status.mailboxes).toEqual([
      expect.objectContaining({
        state: 'idle',
        lastError: null,
        lagSeconds: expect.any(Number),
        oldestQueuedSeconds: null,
      }),
    ]);
  });

  it('stores and flags damaged messages, a 50 MB one included, while the rest are ingested', async () => {
    const user = await dovecot.addUser('malformed');
    const client = await imapClient(dovecot, user);
    const cases = malformedCases();
    await client.append('INBOX', clientMessage({ subject: 'Healthy before' }));
    for (const c of cases) await client.append('INBOX', c.bytes);
    await client.append('INBOX', clientMessage({ subject: 'Healthy after' }));
    await client.logout();

    const { db } = await startWorker(user);
    const total = cases.length + 2;
    await waitFor(
      'all stored and processed',
      async () => {
        const c = await counts(db);
        return c.stored === total && c.processed === total && c;
      },
      60_000,
    );
    const rows = await db.sql<{ subject: string; flags: string[]; size: number; visible: string | null }[]>`
      select m.subject, r.flags, r.size, m.visible_text as visible
      from raw_messages r join messages m on m.id = r.message_id order by r.uid`;
    expect(rows[0]).toMatchObject({ subject: 'Healthy before', flags: ['backfill'] });
    expect(rows.at(-1)).toMatchObject({ subject: 'Healthy after', flags: ['backfill'] });
    for (const [i, c] of cases.entries()) {
      // Dovecot rewrites NUL bytes to 0x80 when it saves a message, so that one arrives clean over
      // IMAP (the unit suite covers the flag on bytes that still hold NULs, as an import can).
      const expected = c.name === 'NUL bytes' ? [] : c.flags;
      expect(rows[i + 1]?.flags, c.name).toEqual(expect.arrayContaining(expected));
    }
    const [nul] = await db.sql`
      select position('\\x00'::bytea in r.bytes) as nul, position('\\x80'::bytea in r.bytes) as replaced
      from raw_messages r join messages m on m.id = r.message_id where m.subject = 'NUL bytes'`;
    expect(nul?.nul).toBe(0);
    expect(nul?.replaced).toBeGreaterThan(0);
    const huge = rows.find((r) => r.subject === 'Huge attachment');
    expect(huge?.size).toBeGreaterThan(50 * 1024 * 1024); // stored whole, not truncated
    // It was read and stored in windows: the stored bytes, their recorded hash and the original agree.
    const original = cases.find((c) => c.name === '50 MB attachment')?.bytes ?? Buffer.alloc(0);
    const [stored] = await db.sql<{ sha256: string; computed: string; size: number }[]>`
      select r.sha256, encode(sha256(r.bytes), 'hex') as computed, r.size
      from raw_messages r join messages m on m.id = r.message_id where m.subject = 'Huge attachment'`;
    expect(stored).toEqual({
      sha256: sha256Hex(original),
      computed: sha256Hex(original),
      size: original.length,
    });
  });

  it('keeps one message for the same mail in two folders, and two for a reused Message-ID', async () => {
    const user = await dovecot.addUser('dedupe');
    const client = await imapClient(dovecot, user);
    const original = clientMessage({ subject: 'Filed twice' });
    await client.append('INBOX', original);
    await client.append('Sent', original); // the same bytes, e.g. filed by a rule or moved back and forth
    const reused = original.toString().replace('Filed twice', 'Different mail, same Message-ID');
    await client.append('INBOX', Buffer.from(reused));
    await client.logout();

    const { db } = await startWorker(user);
    await waitFor('three stored and processed', async () => (await counts(db)).processed === 3);
    const rows = await db.sql`select subject, message_id_header from messages order by id`;
    expect(rows.map((r) => r.subject)).toEqual(['Filed twice', 'Different mail, same Message-ID']);
    expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(1);
    const [links] =
      await db.sql`select count(distinct message_id)::int as messages, count(*)::int as raws from raw_messages`;
    expect(links).toEqual({ messages: 2, raws: 3 });
  });

  it('resyncs without duplicates when UIDVALIDITY changes', async () => {
    const user = await dovecot.addUser('uidvalidity');
    const client = await imapClient(dovecot, user);
    for (let i = 0; i < 3; i++) await client.append('INBOX', clientMessage({ subject: `Before ${i}` }));
    await client.logout();
    const { db, stop } = await startWorker(user);
    await waitFor('first sync', async () => (await counts(db)).processed === 3);
    const [first] = await db.sql`select uidvalidity from mailbox_folders where path = 'INBOX'`;
    await stop();

    // Dovecot assigns a new UIDVALIDITY when its uidlist and indexes disappear.
    const maildir = dovecot.maildir(user.user);
    for (const file of await fs.readdir(maildir)) {
      if (file.startsWith('dovecot.index') || file === 'dovecot-uidlist')
        await fs.rm(path.join(maildir, file));
    }
    await dovecot.restart();
    const again = await imapClient(dovecot, user);
    await again.append('INBOX', clientMessage({ subject: 'After the change' }));
    await again.logout();

    await startWorker(user, {}, db);
    await waitFor('resync', async () => {
      const [f] = await db.sql`select uidvalidity from mailbox_folders where path = 'INBOX'`;
      const c = await counts(db);
      return f?.uidvalidity !== first?.uidvalidity && c.processed === c.stored && c.messages === 4 && c;
    });
    const c = await counts(db);
    expect(c.messages).toBe(4); // the 3 old ones were re-stored under the new UIDVALIDITY but are one message each
    expect(c.stored).toBe(7);
  });
});
