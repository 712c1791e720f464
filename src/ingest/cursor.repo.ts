import { createHash } from 'node:crypto';
import { type CopyColumnType, copyIn, encodeBinaryCopy } from '../db/copy.js';
import type { Sql, TransactionSql } from '../db/index.js';
import type { RawHandoff } from './raw-handoff.js';
import { QUEUE_CHANNEL, sha256Hex } from './raw-store.repo.js';

/** Sync cursors per folder, and the store that moves them. */

export interface FolderRow {
  id: number;
  path: string;
  direction: 'inbound' | 'outbound';
  uidvalidity: bigint | null;
  lastUid: number;
}

export async function ensureFolder(
  sql: Sql,
  mailboxId: number,
  path: string,
  specialUse: string | null,
  direction: 'inbound' | 'outbound',
): Promise<FolderRow> {
  const [row] = await sql<(Omit<FolderRow, 'uidvalidity'> & { uidvalidity: number | null })[]>`
    insert into mailbox_folders (mailbox_id, path, special_use, direction)
    values (${mailboxId}, ${path}, ${specialUse}, ${direction})
    on conflict (mailbox_id, path) do update set special_use = excluded.special_use, direction = excluded.direction
    returning id, path, direction, uidvalidity, last_uid`;
  const r = row as Omit<FolderRow, 'uidvalidity'> & { uidvalidity: number | null };
  return { ...r, uidvalidity: r.uidvalidity === null ? null : BigInt(r.uidvalidity) };
}

export interface FetchedMessage {
  uid: number;
  bytes: Buffer;
  internalDate: Date | null;
}

// The columns a fetched message fills, in COPY order, with their binary types.
const FETCHED_COLUMNS = [
  'source',
  'mailbox_id',
  'folder_id',
  'uidvalidity',
  'uid',
  'sha256',
  'size',
  'bytes',
  'internal_date',
  'stored_at',
  'next_attempt_at',
  'flags',
] as const;
const FETCHED_TYPES: CopyColumnType[] = [
  'text',
  'int8',
  'int8',
  'int8',
  'int8',
  'text',
  'int4',
  'bytea',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'text[]',
];
const COPY_FETCHED = `copy raw_messages (${FETCHED_COLUMNS.join(', ')}) from stdin (format binary)`;

/**
 * Stores one fetched batch and moves the folder's cursor in the same transaction: after a crash either
 * both happened or neither, so nothing is lost and a re-fetch adds nothing (unique per
 * mailbox/folder/uidvalidity/uid; rows already stored are left out). Moving to another UIDVALIDITY
 * restarts the cursor of the new epoch. The bytes go in by binary COPY, as they are.
 */
export async function storeFetchedBatch(
  sql: Sql,
  folder: { mailboxId: number; folderId: number },
  uidvalidity: bigint,
  messages: FetchedMessage[],
  options: { now: Date; flags: string[]; maxBytes: number; highestUid: number; handoff?: RawHandoff },
): Promise<number> {
  const epoch = uidvalidity.toString();
  const handed: [number, Buffer][] = [];
  const added = await sql.begin(async (tx) => {
    // The range keeps the lookup inside the batch's UIDs in the index even when the planner, on a
    // table that has just been filled and not analysed yet, would rather filter uid = any(...) over
    // every row of the folder: that made each store of a cold backfill scan all rows before it.
    const uidsIn = (uids: number[]) => tx<{ id: number; uid: number }[]>`
      select id, uid from raw_messages
      where mailbox_id = ${folder.mailboxId} and folder_id = ${folder.folderId} and uidvalidity = ${epoch}
        and uid between ${Math.min(...uids)} and ${Math.max(...uids)} and uid = any(${uids})`;
    const known = new Set(
      messages.length > 0 ? (await uidsIn(messages.map((m) => m.uid))).map((r) => r.uid) : [],
    );
    const fresh = new Map<number, FetchedMessage>();
    for (const m of messages) if (!known.has(m.uid)) fresh.set(m.uid, m);
    if (fresh.size > 0) {
      const rows = [...fresh.values()].map((m) => [
        'imap',
        folder.mailboxId,
        folder.folderId,
        uidvalidity,
        m.uid,
        sha256Hex(m.bytes),
        m.bytes.length,
        m.bytes,
        m.internalDate,
        options.now,
        options.now,
        m.bytes.length > options.maxBytes ? [...options.flags, 'oversize'] : options.flags,
      ]);
      await copyIn(tx, COPY_FETCHED, encodeBinaryCopy(FETCHED_TYPES, rows));
      if (options.handoff) {
        for (const row of await uidsIn([...fresh.keys()])) {
          const bytes = fresh.get(row.uid)?.bytes;
          if (bytes) handed.push([row.id, bytes]);
        }
      }
    }
    await moveCursor(tx, folder.folderId, uidvalidity, options.highestUid, options.now);
    if (fresh.size > 0) await tx`select pg_notify(${QUEUE_CHANNEL}, '')`;
    return fresh.size;
  });
  for (const [id, bytes] of handed) options.handoff?.put(id, bytes);
  return added;
}

/** The cursor only moves forward within an epoch; a new UIDVALIDITY starts it again. */
async function moveCursor(
  tx: TransactionSql,
  folderId: number,
  uidvalidity: bigint,
  highestUid: number,
  now: Date,
) {
  await tx`
    update mailbox_folders set uidvalidity = ${uidvalidity.toString()},
      last_uid = greatest(case when uidvalidity = ${uidvalidity.toString()} then last_uid else 0 end, ${highestUid}),
      last_sync_at = ${now}
    where id = ${folderId}`;
}

export async function touchFolder(sql: Sql, folderId: number, now: Date): Promise<void> {
  await sql`update mailbox_folders set last_sync_at = ${now} where id = ${folderId}`;
}

export interface LargeMessage {
  uid: number;
  internalDate: Date | null;
}

/** Appended to the stored value this many bytes at a time. */
export const LARGE_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Stores one large message without ever holding it whole: each window read from the server is
 * appended to the row and hashed on the way. Same transaction rules as a batch: the row, its hash and
 * the cursor move commit together. Appending rewrites the growing value (about 350 MB of writes for a
 * 50 MB message); worth it for the rare huge message, whose whole-buffer path peaked at 853 MB of RSS.
 */
export async function storeLargeMessage(
  sql: Sql,
  folder: { mailboxId: number; folderId: number },
  uidvalidity: bigint,
  message: LargeMessage,
  readWindow: (start: number, length: number) => Promise<Buffer>,
  options: { now: Date; flags: string[]; maxBytes: number },
): Promise<number> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      insert into raw_messages (source, mailbox_id, folder_id, uidvalidity, uid, sha256, size, bytes, internal_date,
                                stored_at, next_attempt_at, flags)
      values ('imap', ${folder.mailboxId}, ${folder.folderId}, ${uidvalidity.toString()}, ${message.uid}, '',
              0, ''::bytea, ${message.internalDate}, ${options.now}, ${options.now}, ${options.flags})
      on conflict (mailbox_id, folder_id, uidvalidity, uid) do nothing
      returning id`;
    if (row) {
      const hash = createHash('sha256');
      let size = 0;
      for (;;) {
        const chunk = await readWindow(size, LARGE_CHUNK_BYTES);
        if (chunk.length === 0) break;
        hash.update(chunk);
        size += chunk.length;
        await tx`update raw_messages set bytes = bytes || ${chunk} where id = ${row.id}`;
        if (chunk.length < LARGE_CHUNK_BYTES) break;
      }
      const flags = size > options.maxBytes ? [...options.flags, 'oversize'] : options.flags;
      await tx`update raw_messages set sha256 = ${hash.digest('hex')}, size = ${size}, flags = ${flags} where id = ${row.id}`;
      await tx`select pg_notify(${QUEUE_CHANNEL}, '')`;
    }
    await moveCursor(tx, folder.folderId, uidvalidity, message.uid, options.now);
    return row ? 1 : 0;
  });
}
