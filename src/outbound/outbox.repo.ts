import type { Sql, TransactionSql } from '../db/index.js';
import {
  type Address,
  bareMessageId,
  type OutboxKind,
  type OutgoingFile,
  type OutgoingMessage,
  oneLine,
  safeHeaders,
} from './compose.js';

/**
 * The transactional outbox. A message is enqueued in the same transaction as the change that causes
 * it, with its Message-ID fixed before any attempt. Delivery is at most once per row: a row is claimed
 * (status 'sending', committed) before the SMTP conversation starts, and a row found still 'sending'
 * after a crash is never retried, only declared dead. While a row is 'sending', next_attempt_at holds
 * the moment its attempt started.
 */

/** Notified when a message is queued, so an idle outbox loop sends at once. */
export const OUTBOX_CHANNEL = 'signoff_outbox_queued';

/** Wait after the 1st, 2nd ... failed attempt; the attempt after the last delay is the final one. */
export const RETRY_DELAYS_MINUTES: readonly number[] = [1, 5, 30, 120, 360, 720];
/** Seven attempts over about 20 hours, then the row is dead. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;
/** At most one automated message per thread in this window. */
export const AUTOMATED_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ERROR_CHARS = 1000;

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'dead';

export interface ClaimedRow {
  id: number;
  kind: OutboxKind;
  /** Including the attempt just claimed. */
  attempts: number;
  threadId: number | null;
  versionId: number | null;
  contactId: number | null;
  message: OutgoingMessage;
}

export type EnqueueResult = { id: number; created: boolean } | { id: null; skipped: 'automated_limit' };

/** Reply-To, In-Reply-To and References live in the headers column, in their header form. */
const STANDARD = ['reply-to', 'in-reply-to', 'references'];

function storedHeaders(message: OutgoingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(safeHeaders(message.headers))) {
    if (!STANDARD.includes(key.toLowerCase())) headers[key] = value;
  }
  const replyTo = message.replyTo ? oneLine(message.replyTo) : '';
  if (replyTo) headers['Reply-To'] = replyTo;
  const inReplyTo = message.inReplyTo ? bareMessageId(message.inReplyTo) : '';
  if (inReplyTo) headers['In-Reply-To'] = `<${inReplyTo}>`;
  const references = message.references.map(bareMessageId).filter(Boolean);
  if (references.length > 0) headers.References = references.map((id) => `<${id}>`).join(' ');
  return headers;
}

function idsOf(value: string): string[] {
  return [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
}

interface OutboxRowShape {
  id: number;
  kind: OutboxKind;
  attempts: number;
  threadId: number | null;
  versionId: number | null;
  contactId: number | null;
  messageIdHeader: string;
  fromAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  automated: boolean;
  // jsonb read as text: postgres.camel would rewrite the keys of nested JSON otherwise.
  toJson: string;
  ccJson: string;
  headersJson: string;
  attachmentsJson: string;
}

function claimedFromRow(row: OutboxRowShape): ClaimedRow {
  const stored = JSON.parse(row.headersJson) as Record<string, string>;
  const headers: Record<string, string> = {};
  let replyTo: string | null = null;
  let inReplyTo: string | null = null;
  let references: string[] = [];
  for (const [key, value] of Object.entries(stored)) {
    const lower = key.toLowerCase();
    if (lower === 'reply-to') replyTo = value;
    else if (lower === 'in-reply-to') inReplyTo = idsOf(value)[0] ?? null;
    else if (lower === 'references') references = idsOf(value);
    else headers[key] = value;
  }
  return {
    id: row.id,
    kind: row.kind,
    attempts: row.attempts,
    threadId: row.threadId,
    versionId: row.versionId,
    contactId: row.contactId,
    message: {
      kind: row.kind,
      from: row.fromAddress,
      to: JSON.parse(row.toJson) as Address[],
      cc: JSON.parse(row.ccJson) as Address[],
      replyTo,
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
      messageId: row.messageIdHeader,
      inReplyTo,
      references,
      headers,
      attachments: JSON.parse(row.attachmentsJson) as OutgoingFile[],
      automated: row.automated,
    },
  };
}

/**
 * Queues a message in the caller's transaction. The idempotency key makes a repeated call a no-op that
 * returns the first row. Automated mail is limited to one message per thread per day: a later one is
 * skipped, not queued.
 */
export async function enqueueMessage(
  tx: TransactionSql,
  input: {
    message: OutgoingMessage;
    idempotencyKey: string;
    threadId: number | null;
    versionId: number | null;
    contactId: number | null;
  },
  now: Date,
): Promise<EnqueueResult> {
  const { message } = input;
  if (message.automated && input.threadId !== null) {
    // The thread's row lock serialises automated mail per thread: two enqueues at once cannot both
    // see "none today" and both insert.
    await tx`select 1 from threads where id = ${input.threadId} for update`;
  }
  const [existing] = await tx<{ id: number }[]>`
    select id from outbox where idempotency_key = ${input.idempotencyKey}`;
  if (existing) return { id: existing.id, created: false };
  if (message.automated && input.threadId !== null) {
    const since = new Date(now.getTime() - AUTOMATED_WINDOW_MS);
    const [recent] = await tx<{ id: number }[]>`
      select id from outbox
      where thread_id = ${input.threadId} and automated and created_at > ${since}
      limit 1`;
    if (recent) return { id: null, skipped: 'automated_limit' };
  }
  const messageId = bareMessageId(message.messageId);
  const [row] = await tx<{ id: number }[]>`
    insert into outbox (kind, idempotency_key, message_id_header, thread_id, version_id, contact_id,
                        from_address, to_addresses, cc_addresses, subject, text_body, html_body, headers,
                        attachments, automated, status, attempts, next_attempt_at, created_at)
    values (${message.kind}, ${input.idempotencyKey}, ${messageId}, ${input.threadId}, ${input.versionId},
            ${input.contactId}, ${oneLine(message.from)}, ${tx.json(message.to as never)},
            ${tx.json(message.cc as never)}, ${oneLine(message.subject)}, ${message.text}, ${message.html},
            ${tx.json(storedHeaders(message))}, ${tx.json(message.attachments as never)}, ${message.automated},
            'queued', 0, ${now}, ${now})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (!row) {
    const [other] = await tx<{ id: number }[]>`
      select id from outbox where idempotency_key = ${input.idempotencyKey}`;
    if (!other) throw new Error(`Outbox row for key ${input.idempotencyKey} vanished`);
    return { id: other.id, created: false };
  }
  // Delivered on commit.
  await tx`select pg_notify(${OUTBOX_CHANNEL}, '')`;
  return { id: row.id, created: true };
}

/**
 * Claims due rows for sending: 'sending', one more attempt, committed by this statement before any
 * SMTP traffic, so no other worker (or a later run of this one) can deliver them again.
 */
export async function claimDue(
  sql: Sql,
  now: Date,
  options: { limit: number; ids?: number[] },
): Promise<ClaimedRow[]> {
  if (options.ids && options.ids.length === 0) return [];
  const onlyIds = options.ids ? sql`and id = any(${options.ids}::bigint[])` : sql``;
  const rows = await sql<OutboxRowShape[]>`
    with due as (
      select id from outbox
      where status = 'queued' and next_attempt_at <= ${now} ${onlyIds}
      order by next_attempt_at, id
      limit ${options.limit}
      for update skip locked
    )
    update outbox o
    set status = 'sending', attempts = o.attempts + 1, next_attempt_at = ${now}
    from due
    where o.id = due.id
    returning o.id, o.kind, o.attempts, o.thread_id, o.version_id, o.contact_id, o.message_id_header,
              o.from_address, o.subject, o.text_body, o.html_body, o.automated,
              o.to_addresses::text as to_json, o.cc_addresses::text as cc_json,
              o.headers::text as headers_json, o.attachments::text as attachments_json`;
  return rows.map(claimedFromRow).sort((a, b) => a.id - b.id);
}

/**
 * Records a delivery. Also from 'dead': a row declared interrupted whose send did finish was sent,
 * and the record says what happened.
 */
export async function markSent(sql: Sql, id: number, at: Date, rawMessageId: number | null): Promise<void> {
  await sql`
    update outbox
    set status = 'sent', sent_at = ${at}, raw_message_id = ${rawMessageId}, last_error = null
    where id = ${id} and status in ('sending', 'dead')`;
}

/** The next state after a failed attempt: retry later, or dead (permanent, or out of attempts). */
export function afterFailure(
  attempts: number,
  now: Date,
  permanent: boolean,
): { status: 'queued'; nextAttemptAt: Date } | { status: 'dead' } {
  if (permanent || attempts >= MAX_ATTEMPTS) return { status: 'dead' };
  const index = Math.min(Math.max(attempts, 1), RETRY_DELAYS_MINUTES.length) - 1;
  const minutes = RETRY_DELAYS_MINUTES[index] ?? 60;
  return { status: 'queued', nextAttemptAt: new Date(now.getTime() + minutes * 60_000) };
}

/** Records a failed attempt: back to the queue with backoff, or dead with the reason. */
export async function markFailed(
  sql: Sql,
  id: number,
  error: string,
  now: Date,
  permanent: boolean,
): Promise<OutboxStatus | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ attempts: number }[]>`
      select attempts from outbox where id = ${id} and status = 'sending' for update`;
    if (!row) return null;
    const next = afterFailure(row.attempts, now, permanent);
    const reason = oneLine(error).slice(0, MAX_ERROR_CHARS) || 'unknown error';
    const lastError =
      next.status === 'dead' && !permanent ? `${reason} (gave up after ${row.attempts} attempts)` : reason;
    if (next.status === 'dead') {
      await tx`update outbox set status = 'dead', last_error = ${lastError} where id = ${id}`;
    } else {
      await tx`
        update outbox set status = 'queued', last_error = ${lastError}, next_attempt_at = ${next.nextAttemptAt}
        where id = ${id}`;
    }
    return next.status;
  });
}

export const INTERRUPTED_ERROR = 'interrupted while sending; delivery unknown';

/**
 * Rows left 'sending' by a process that died mid-send: the message may or may not have gone out, so
 * they are declared dead, never resent (at most once). Returns their ids.
 */
export async function abandonInterrupted(sql: Sql, now: Date, olderThanMinutes: number): Promise<number[]> {
  const before = new Date(now.getTime() - olderThanMinutes * 60_000);
  const rows = await sql<{ id: number }[]>`
    update outbox set status = 'dead', last_error = ${INTERRUPTED_ERROR}
    where status = 'sending' and next_attempt_at < ${before}
    returning id`;
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** File bodies by sha256; a missing sha256 is simply absent from the map. */
export async function loadAttachments(sql: Sql, sha256s: string[]): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const wanted = [...new Set(sha256s)];
  if (wanted.length === 0) return files;
  const rows = await sql<{ sha256: string; bytes: Buffer }[]>`
    select sha256, bytes from file_blobs where sha256 = any(${wanted}::text[])`;
  for (const row of rows) files.set(row.sha256, row.bytes);
  return files;
}

/** The stored copy of what was sent, by its bytes (unique per source for non-IMAP sources). */
export async function findOutboundRaw(sql: Sql, sha256: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    select id from raw_messages where source = 'outbound' and sha256 = ${sha256}`;
  return row?.id ?? null;
}

/** Each row's status now (a running worker may have sent a row this process queued). */
export async function outboxStatuses(sql: Sql, ids: number[]): Promise<Map<number, OutboxStatus>> {
  const rows = await sql<{ id: number; status: OutboxStatus }[]>`
    select id, status from outbox where id = any(${ids}::bigint[])`;
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** The queued row with this idempotency key, if any. */
export async function queuedByKey(sql: Sql, idempotencyKey: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    select id from outbox where idempotency_key = ${idempotencyKey} and status = 'queued'`;
  return row?.id ?? null;
}
