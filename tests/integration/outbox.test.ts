import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { DEFAULT_PROCESS_OPTIONS, processBatch } from '../../src/ingest/queue.js';
import { composeApprovalConfirmation, composeReviewRequest } from '../../src/outbound/compose.js';
import { flushOutbox, startOutboxLoop } from '../../src/outbound/deliver.js';
import {
  abandonInterrupted,
  claimDue,
  enqueueMessage,
  INTERRUPTED_ERROR,
  RETRY_DELAYS_MINUTES,
} from '../../src/outbound/outbox.repo.js';
import { createSender, type Sender } from '../../src/outbound/sender.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';
import { type Received, startSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The outbox against a real PostgreSQL and an in-process SMTP server: one delivery per row, retries and
 * dead letters by the server's answer, our own copy stored for threading, and the .eml fallback.
 */

const NOW = new Date('2026-10-20T12:00:00Z');
const FROM = 'Brightline Studio <studio@brightline.example>';
const clock = fixedClock(NOW);

let serial = 0;
function review(to: string, files: { name: string; bytes: Buffer; contentType: string }[] = []) {
  serial++;
  return composeReviewRequest({
    from: FROM,
    to: { name: 'Priya Nair', address: to },
    replyTo: `inbox+tok${serial}@brightline.example`,
    messageId: `sig-test-${serial}-${Date.now()}@brightline.example`,
    date: NOW,
    client: { name: 'Acme Outdoor' },
    deliverable: { code: 'ACME-12', title: `Trail banner ${serial}` },
    version: {
      number: 1,
      note: null,
      linkUrl: null,
      files: files.map((f) => ({
        name: f.name,
        sha256: createHash('sha256').update(f.bytes).digest('hex'),
        size: f.bytes.length,
        contentType: f.contentType,
      })),
    },
    previous: null,
  });
}

describe('outbox', () => {
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let sender: Sender;
  let outboxDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtp();
    sender = createSender({
      from: FROM,
      outboxDir: '/nonexistent/never-used',
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined },
    });
    outboxDir = await mkdtemp(path.join(tmpdir(), 'signoff-outbox-'));
  });
  afterAll(async () => {
    await sender?.close();
    await smtp?.stop();
    if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
    await db?.drop();
  });

  const enqueue = (
    message: ReturnType<typeof review>,
    key: string,
    at: Date = NOW,
    threadId: number | null = null,
  ) =>
    db.sql.begin((tx) =>
      enqueueMessage(tx, { message, idempotencyKey: key, threadId, versionId: null, contactId: null }, at),
    );
  const row = async (id: number) => {
    const [r] = await db.sql<
      {
        status: string;
        attempts: number;
        nextAttemptAt: Date;
        lastError: string | null;
        sentAt: Date | null;
        rawMessageId: number | null;
      }[]
    >`select status, attempts, next_attempt_at, last_error, sent_at, raw_message_id from outbox where id = ${id}`;
    if (!r) throw new Error(`no outbox row ${id}`);
    return r;
  };
  const createdId = (result: Awaited<ReturnType<typeof enqueue>>): number => {
    if (result.id === null) throw new Error('expected a row');
    return result.id;
  };

  it('enqueues once per idempotency key', async () => {
    const message = review('dana@acme.example');
    const first = await enqueue(message, 'review:once');
    const second = await enqueue(review('dana@acme.example'), 'review:once');
    expect(first).toEqual({ id: expect.any(Number), created: true });
    expect(second).toEqual({ id: first.id, created: false });
    const [count] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where idempotency_key = 'review:once'`;
    expect(count?.n).toBe(1);
    const [stored] = await db.sql<{ messageIdHeader: string }[]>`
      select message_id_header from outbox where id = ${createdId(first)}`;
    expect(stored?.messageIdHeader).toBe(message.messageId);
    expect(stored?.messageIdHeader).not.toMatch(/[<>]/);
  });

  it('sends a queued message over SMTP exactly once and stores its own copy', async () => {
    const message = review('sarah@acme.example');
    const id = createdId(await enqueue(message, 'review:smtp'));
    const before = smtp.received.length;

    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    expect(flushed).toMatchObject({ sent: 1, failed: 0, dead: 0 });
    expect(flushed.results).toEqual([
      { id, status: 'sent', messageId: message.messageId, detail: expect.stringContaining('250') },
    ]);
    expect(smtp.received.length).toBe(before + 1);
    const got = smtp.received.at(-1) as Received;
    expect(got.from).toBe('studio@brightline.example');
    expect(got.to).toEqual(['sarah@acme.example']);
    const parsed = await simpleParser(got.raw);
    expect(parsed.messageId).toBe(`<${message.messageId}>`);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.replyTo?.text).toBe(message.replyTo);
    expect(parsed.headers.get('thread-index')).toBe(message.headers['Thread-Index']);

    const after = await row(id);
    expect(after.status).toBe('sent');
    expect(after.attempts).toBe(1);
    expect(after.sentAt?.toISOString()).toBe(NOW.toISOString());
    expect(after.rawMessageId).not.toBeNull();
    const [raw] = await db.sql<{ source: string; sourceRef: string; processState: string; bytes: Buffer }[]>`
      select source, source_ref, process_state, bytes from raw_messages where id = ${after.rawMessageId}`;
    expect(raw).toMatchObject({ source: 'outbound', sourceRef: `outbox:${id}`, processState: 'queued' });
    expect((await simpleParser(raw?.bytes as Buffer)).messageId).toBe(`<${message.messageId}>`);

    const again = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    expect(again).toMatchObject({ sent: 0, failed: 0, dead: 0, results: [] });
    const later = await flushOutbox(
      db.sql,
      sender,
      fixedClock(new Date(NOW.getTime() + 86_400_000)),
      quietLog,
      {
        ids: [id],
      },
    );
    expect(later.results).toEqual([]);
    expect(smtp.received.length).toBe(before + 1);
  });

  it('the stored copy goes through the processing queue as outbound mail', async () => {
    const message = review('grace@acme.example');
    const id = createdId(await enqueue(message, 'review:processed'));
    await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    while ((await processBatch(db.sql, clock, quietLog, DEFAULT_PROCESS_OPTIONS, 50)) !== null) {}
    const [stored] = await db.sql<{ direction: string; threadId: number | null }[]>`
      select direction, thread_id from messages where message_id_header = ${message.messageId}`;
    expect(stored).toMatchObject({ direction: 'outbound', threadId: expect.any(Number) });
  });

  it('declares a message dead at once when the server refuses it permanently (550)', async () => {
    const id = createdId(await enqueue(review('reject@acme.example'), 'review:550'));
    const before = smtp.received.length;
    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    expect(flushed).toMatchObject({ sent: 0, failed: 0, dead: 1 });
    const after = await row(id);
    expect(after.status).toBe('dead');
    expect(after.attempts).toBe(1);
    expect(after.lastError).toContain('550');
    expect(after.rawMessageId).toBeNull();
    expect(smtp.received.length).toBe(before);
  });

  it('retries later after a temporary refusal (451)', async () => {
    const id = createdId(await enqueue(review('later@acme.example'), 'review:451'));
    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    expect(flushed).toMatchObject({ sent: 0, failed: 1, dead: 0 });
    expect(flushed.results[0]?.status).toBe('queued');
    const after = await row(id);
    expect(after.status).toBe('queued');
    expect(after.attempts).toBe(1);
    expect(after.lastError).toContain('451');
    expect(after.nextAttemptAt.getTime()).toBe(NOW.getTime() + (RETRY_DELAYS_MINUTES[0] ?? 0) * 60_000);
    expect(after.nextAttemptAt.getTime()).toBeGreaterThan(NOW.getTime());
    // Not due yet: nothing is claimed before the backoff ends.
    expect((await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] })).results).toEqual([]);
    expect((await row(id)).attempts).toBe(1);
  });

  it('without SMTP settings writes an .eml file that parses back with its attachment', async () => {
    const bytes = Buffer.from('%PDF-1.4\nnot really a pdf, but bytes all the same\n');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await db.sql`
      insert into file_blobs (sha256, size, bytes) values (${sha256}, ${bytes.length}, ${bytes})
      on conflict do nothing`;
    const message = review('olivia@acme.example', [
      { name: 'Katalog Frühling.pdf', bytes, contentType: 'application/pdf' },
    ]);
    const id = createdId(await enqueue(message, 'review:eml'));
    const files = createSender({ from: FROM, outboxDir, smtp: undefined });

    const flushed = await flushOutbox(db.sql, files, clock, quietLog, { ids: [id] });
    expect(flushed).toMatchObject({ sent: 1, failed: 0, dead: 0 });
    const names = (await readdir(outboxDir)).filter((n) => n.endsWith('.eml'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^20261020-120000-sig-test-\d+-\d+_brightline\.example\.eml$/);
    expect((await readdir(outboxDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(flushed.results[0]?.detail).toBe(`written to ${path.join(outboxDir, names[0] as string)}`);

    const parsed = await simpleParser(await readFile(path.join(outboxDir, names[0] as string)));
    expect(parsed.messageId).toBe(`<${message.messageId}>`);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('Katalog Frühling.pdf');
    expect(Buffer.compare(parsed.attachments[0]?.content as Buffer, bytes)).toBe(0);
    expect((await row(id)).status).toBe('sent');
    await files.close();
  });

  it('declares a message dead when its attachment bytes are missing', async () => {
    const message = review('dana@acme.example', [
      { name: 'gone.png', bytes: Buffer.from('never stored'), contentType: 'image/png' },
    ]);
    const id = createdId(await enqueue(message, 'review:missing-blob'));
    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id] });
    expect(flushed).toMatchObject({ sent: 0, dead: 1 });
    expect((await row(id)).lastError).toContain('gone.png');
  });

  it('sends at most one automated message per thread per day', async () => {
    const [thread] = await db.sql<{ id: number }[]>`insert into threads default values returning id`;
    const threadId = thread?.id as number;
    const confirmation = (n: number) =>
      composeApprovalConfirmation({
        from: FROM,
        to: { name: 'Priya Nair', address: 'priya@acme.example' },
        messageId: `confirm-${n}-${Date.now()}@brightline.example`,
        date: NOW,
        inReplyTo: `approve-${n}@mail.acme.example`,
        references: [],
        deliverable: { code: 'ACME-12', title: 'Trail banner' },
        version: { number: 2, contentHash: 'ab'.repeat(32) },
        approvedAt: NOW,
        decidingPhrase: 'Approved',
      });
    const first = await enqueue(confirmation(1), 'confirm:1', NOW, threadId);
    expect(first).toMatchObject({ created: true });
    // A replay of the same confirmation is the same row, not a skip.
    expect(await enqueue(confirmation(1), 'confirm:1', NOW, threadId)).toEqual({
      id: first.id,
      created: false,
    });

    const inAnHour = new Date(NOW.getTime() + 3_600_000);
    expect(await enqueue(confirmation(2), 'confirm:2', inAnHour, threadId)).toEqual({
      id: null,
      skipped: 'automated_limit',
    });
    // Mail a person sends is never limited.
    expect(
      await enqueue(review('priya@acme.example'), 'review:same-thread', inAnHour, threadId),
    ).toMatchObject({
      created: true,
    });
    // Another thread is not affected.
    const [other] = await db.sql<{ id: number }[]>`insert into threads default values returning id`;
    expect(await enqueue(confirmation(3), 'confirm:3', inAnHour, other?.id as number)).toMatchObject({
      created: true,
    });

    const nextDay = new Date(NOW.getTime() + 25 * 3_600_000);
    expect(await enqueue(confirmation(4), 'confirm:4', nextDay, threadId)).toMatchObject({ created: true });
    const [count] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where thread_id = ${threadId} and automated`;
    expect(count?.n).toBe(2);
  });

  it('declares a row left sending by a crashed process dead and never sends it', async () => {
    const earlier = new Date(NOW.getTime() - 3 * 3_600_000);
    const id = createdId(await enqueue(review('tom@acme.example'), 'review:crashed', earlier));
    // A process claimed it two hours ago and died before recording anything.
    const claimed = await claimDue(db.sql, new Date(NOW.getTime() - 2 * 3_600_000), { limit: 10, ids: [id] });
    expect(claimed.map((c) => c.id)).toEqual([id]);
    expect((await row(id)).status).toBe('sending');

    // A recent claim (another live process) is left alone.
    const fresh = createdId(await enqueue(review('tom@acme.example'), 'review:in-flight', NOW));
    await claimDue(db.sql, NOW, { limit: 10, ids: [fresh] });

    const before = smtp.received.length;
    expect(await abandonInterrupted(db.sql, NOW, 60)).toEqual([id]);
    const after = await row(id);
    expect(after.status).toBe('dead');
    expect(after.lastError).toBe(INTERRUPTED_ERROR);
    expect(after.attempts).toBe(1);
    expect((await row(fresh)).status).toBe('sending');

    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids: [id, fresh] });
    expect(flushed.results).toEqual([]);
    expect(smtp.received.length).toBe(before);
  });

  it('keeps going when one row of a batch fails', async () => {
    const ids = [
      createdId(await enqueue(review('reject@acme.example'), 'batch:1')),
      createdId(await enqueue(review('ok1@acme.example'), 'batch:2')),
      createdId(await enqueue(review('later@acme.example'), 'batch:3')),
      createdId(await enqueue(review('ok2@acme.example'), 'batch:4')),
    ];
    const flushed = await flushOutbox(db.sql, sender, clock, quietLog, { ids });
    expect(flushed).toMatchObject({ sent: 2, failed: 1, dead: 1 });
    expect(flushed.results.map((r) => r.status)).toEqual(['dead', 'sent', 'queued', 'sent']);
  });

  it('the worker loop sends what is queued as soon as the transaction commits', async () => {
    // A database of its own, so rows left by the other cases do not count.
    const own = await createTestDatabase();
    // Polling once a minute: only the NOTIFY sent on commit can make this quick.
    const loop = startOutboxLoop(own.sql, sender, clock, quietLog, { intervalMs: 60_000 });
    try {
      const before = smtp.received.length;
      const message = review('noah@acme.example');
      const queued = await own.sql.begin((tx) =>
        enqueueMessage(
          tx,
          { message, idempotencyKey: 'loop:1', threadId: null, versionId: null, contactId: null },
          NOW,
        ),
      );
      const status = await waitFor('the loop to send', async () => {
        const [r] = await own.sql<{ status: string }[]>`select status from outbox where id = ${queued.id}`;
        return r?.status === 'sent' ? r.status : null;
      });
      expect(status).toBe('sent');
      expect(smtp.received.length).toBe(before + 1);
    } finally {
      await loop.stop();
      await own.drop();
    }
  });
});
