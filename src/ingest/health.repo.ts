import type { Sql } from '../db/index.js';

/** What `status --json`, /healthz and the ingestion-health view report. */

export interface MessageCounts {
  stored: number;
  processed: number;
  failed: number;
  queued: number;
}

export interface MailboxHealth {
  id: number;
  name: string;
  state: string;
  enabled: boolean;
  lastSyncAt: Date | null;
  lastError: string | null;
  /** Median seconds from a message's arrival on the server to processed, over the latest 50 live messages. */
  lagSeconds: number | null;
  /** Seconds the oldest still-queued message of this mailbox has waited, or null when none waits. */
  oldestQueuedSeconds: number | null;
  folders: { path: string; uidvalidity: number | null; lastUid: number; lastSyncAt: Date | null }[];
}

export interface FailedMessage {
  id: number;
  source: string;
  sourceRef: string | null;
  mailboxId: number | null;
  uid: number | null;
  size: number;
  attempts: number;
  lastErrorCode: string | null;
  lastError: string | null;
  storedAt: Date;
}

export interface IngestionStatus {
  messages: MessageCounts;
  mailboxes: MailboxHealth[];
}

async function messageCounts(sql: Sql): Promise<MessageCounts> {
  const [row] = await sql<MessageCounts[]>`
    select count(*)::int as stored,
           count(*) filter (where process_state = 'processed')::int as processed,
           count(*) filter (where process_state = 'failed')::int as failed,
           count(*) filter (where process_state = 'queued')::int as queued
    from raw_messages`;
  return row as MessageCounts;
}

export async function ingestionStatus(sql: Sql, now: Date): Promise<IngestionStatus> {
  const mailboxes = await sql<Omit<MailboxHealth, 'folders'>[]>`
    select m.id, m.name, m.state, m.enabled, m.last_sync_at, m.last_error,
      (select percentile_cont(0.5) within group (order by extract(epoch from r.processed_at - coalesce(r.internal_date, r.stored_at)))
         from (select processed_at, internal_date, stored_at from raw_messages
               where mailbox_id = m.id and process_state = 'processed' and not ('backfill' = any(flags))
               order by id desc limit 50) r)::float8 as lag_seconds,
      (select extract(epoch from ${now}::timestamptz - min(stored_at))::float8 from raw_messages
         where mailbox_id = m.id and process_state = 'queued') as oldest_queued_seconds
    from mailboxes m order by m.id`;
  const folders = await sql<(MailboxHealth['folders'][number] & { mailboxId: number })[]>`
    select mailbox_id, path, uidvalidity, last_uid, last_sync_at from mailbox_folders order by mailbox_id, id`;
  return {
    messages: await messageCounts(sql),
    mailboxes: mailboxes.map((m) => ({
      ...m,
      lagSeconds: m.lagSeconds === null ? null : Math.round(m.lagSeconds * 10) / 10,
      oldestQueuedSeconds: m.oldestQueuedSeconds === null ? null : Math.round(m.oldestQueuedSeconds),
      folders: folders.filter((f) => f.mailboxId === m.id).map(({ mailboxId: _id, ...f }) => f),
    })),
  };
}

export async function recentFailures(sql: Sql, limit = 50): Promise<FailedMessage[]> {
  return sql<FailedMessage[]>`
    select id, source, source_ref, mailbox_id, uid, size, attempts, last_error_code, last_error, stored_at
    from raw_messages where process_state = 'failed' order by id desc limit ${limit}`;
}

/** Puts failed messages back in the queue, due now. Returns how many. */
export async function requeueFailed(sql: Sql, target: { id: number } | 'all', now: Date): Promise<number> {
  const rows = await sql`
    update raw_messages set process_state = 'queued', attempts = 0, next_attempt_at = ${now}
    where process_state = 'failed' and ${target === 'all' ? sql`true` : sql`id = ${target.id}`}
    returning id`;
  return rows.length;
}
