import { createHash } from 'node:crypto';
import type { Sql } from '../db/index.js';

/** Notified when a raw message is queued, so idle workers start at once. */
export const QUEUE_CHANNEL = 'signoff_raw_queued';

export type RawSource = 'imap' | 'import' | 'outbound';

export interface NewRawMessage {
  source: Exclude<RawSource, 'imap'>;
  sourceRef: string | null;
  bytes: Buffer;
  internalDate: Date | null;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores raw bytes exactly as read and queues them for processing. Imports are keyed by their bytes,
 * so importing the same file twice adds nothing. Returns whether a row was added.
 */
export async function storeRawMessage(sql: Sql, raw: NewRawMessage, now: Date): Promise<boolean> {
  const sha256 = sha256Hex(raw.bytes);
  const [inserted] = await sql<{ id: number }[]>`
    insert into raw_messages (source, source_ref, sha256, size, bytes, internal_date, stored_at, next_attempt_at)
    values (${raw.source}, ${raw.sourceRef}, ${sha256}, ${raw.bytes.length}, ${raw.bytes}, ${raw.internalDate}, ${now}, ${now})
    on conflict (source, sha256) where source <> 'imap' do nothing
    returning id`;
  if (inserted) await sql`select pg_notify(${QUEUE_CHANNEL}, '')`;
  return inserted !== undefined;
}
