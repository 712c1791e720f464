import { createHash } from 'node:crypto';
import { bigintArrayLiteral, copyOut } from '../db/copy.js';
import type { Sql, TransactionSql } from '../db/index.js';

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

/**
 * Raw bytes by id, read by binary COPY so they cross the wire as they are; with `prefixBytes`, only
 * each message's start.
 */
export async function readRawBytes(
  tx: TransactionSql,
  ids: readonly number[],
  prefixBytes?: number,
): Promise<Map<number, Buffer>> {
  const bytes = new Map<number, Buffer>();
  if (ids.length === 0) return bytes;
  if (prefixBytes !== undefined && !Number.isSafeInteger(prefixBytes))
    throw new TypeError('prefixBytes must be an integer');
  const column = prefixBytes === undefined ? 'bytes' : `substring(bytes from 1 for ${prefixBytes})`;
  const rows = await copyOut(
    tx,
    `copy (select id, ${column} from raw_messages where id = any(${bigintArrayLiteral(ids)})) to stdout (format binary)`,
  );
  for (const [id, value] of rows) if (id && value) bytes.set(Number(id.readBigInt64BE()), value);
  return bytes;
}
