/**
 * What to fetch from one folder, from our cursor and what the server reports. Pure.
 * We sync by UID only, never by \Seen: mail someone already read in Outlook is still new to us.
 */

export interface FolderCursor {
  uidvalidity: bigint | null;
  lastUid: number;
}

export interface FolderStatus {
  uidValidity: bigint;
  uidNext: number;
  exists: number;
}

export type SyncPlan =
  /** Nothing new since the cursor. */
  | { kind: 'none' }
  /** First sync of this folder, or a UIDVALIDITY change: take the backfill window. */
  | { kind: 'initial'; since: Date; reason: 'first_sync' | 'uidvalidity_changed' }
  /** New UIDs above the cursor. */
  | { kind: 'range'; fromUid: number };

export function planFolderSync(
  cursor: FolderCursor,
  status: FolderStatus,
  now: Date,
  sinceDays: number,
): SyncPlan {
  const since = new Date(now.getTime() - sinceDays * 86_400_000);
  if (cursor.uidvalidity === null) return { kind: 'initial', since, reason: 'first_sync' };
  if (cursor.uidvalidity !== status.uidValidity)
    return { kind: 'initial', since, reason: 'uidvalidity_changed' };
  if (status.exists === 0 || status.uidNext <= cursor.lastUid + 1) return { kind: 'none' };
  return { kind: 'range', fromUid: cursor.lastUid + 1 };
}

export interface SizedUid {
  uid: number;
  size: number;
}

/**
 * Groups UIDs (ascending) into fetch batches of at most `maxCount` messages and `maxBytes` bytes, so a
 * backfill never holds more than one batch of message sources in memory; a message larger than
 * `maxBytes` is fetched alone.
 */
export function batchBySize(items: SizedUid[], maxCount: number, maxBytes: number): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const item of [...items].sort((a, b) => a.uid - b.uid)) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item.uid);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
