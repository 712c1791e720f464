import { ImapFlow, type ListResponse } from 'imapflow';
import type { Clock } from '../clock.js';
import type { IngestSettings } from '../config.js';
import type { Sql } from '../db/index.js';
import { errorMessage } from '../errors.js';
import {
  ensureFolder,
  type FolderRow,
  storeFetchedBatch,
  storeLargeMessage,
  touchFolder,
} from '../ingest/cursor.repo.js';
import type { RawHandoff } from '../ingest/raw-handoff.js';
import type { Logger } from '../log.js';
import { type MailboxSettings, setMailboxState } from './mailboxes.repo.js';
import { batchBySize, planFolderSync } from './sync-plan.js';

/**
 * One IMAP connection for one mailbox, from login until it closes. Read-only: every folder is opened
 * with EXAMINE and fetched with BODY.PEEK (imapflow's `source`), so nothing in the mailbox changes.
 * Work is strictly sequential: a folder is synced with bounded `fetchAll` calls and only then are the
 * results stored, so no IMAP command ever runs inside a fetch loop (that deadlocks imapflow).
 * New mail arrives through IDLE on INBOX; a reconciliation sweep of every folder runs on a timer.
 */

const FETCH_BATCH_COUNT = 200;
/** A backfill's first fetch: processing starts on these while larger batches follow. */
const FIRST_BATCH_COUNT = 25;
const FETCH_BATCH_BYTES = 8 * 1024 * 1024;

interface SyncedFolder extends FolderRow {
  name: string;
}

export interface SessionDeps {
  sql: Sql;
  clock: Clock;
  log: Logger;
  settings: IngestSettings;
  /** Where stored bytes are handed to this process's queue lanes. */
  handoff?: RawHandoff | undefined;
}

function specialUseOf(entry: ListResponse): string | null {
  return entry.specialUse ?? null;
}

/** `INBOX`, a path, or `\Sent`-style special-use names, resolved against the server's folder list. */
export function resolveFolders(
  wanted: string[],
  list: ListResponse[],
): { path: string; specialUse: string | null; direction: 'inbound' | 'outbound'; name: string }[] {
  const out: { path: string; specialUse: string | null; direction: 'inbound' | 'outbound'; name: string }[] =
    [];
  for (const name of wanted) {
    const entry = name.startsWith('\\')
      ? list.find((l) => specialUseOf(l)?.toLowerCase() === name.toLowerCase())
      : list.find(
          (l) => l.path === name || (name.toUpperCase() === 'INBOX' && l.path.toUpperCase() === 'INBOX'),
        );
    if (!entry || out.some((o) => o.path === entry.path)) continue;
    const specialUse = specialUseOf(entry);
    out.push({
      path: entry.path,
      specialUse,
      direction: specialUse === '\\Sent' ? 'outbound' : 'inbound',
      name,
    });
  }
  return out;
}

export class MailboxSession {
  private client: ImapFlow;
  private folders: SyncedFolder[] = [];
  private dirty = new Set<string>();
  private working: Promise<void> = Promise.resolve();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void>;
  private closing = false;

  constructor(
    private readonly mailbox: MailboxSettings,
    private readonly deps: SessionDeps,
  ) {
    // A new ImapFlow per connection: a closed client cannot be reused.
    this.client = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.tls,
      auth: { user: mailbox.user, pass: mailbox.password },
      logger: false,
      emitLogs: false,
      connectionTimeout: 30_000,
      greetingTimeout: 16_000,
      // IDLE starts 200 ms after the last command (imapflow's default is 15 s): the server only tells
      // us about new mail while we IDLE. With 1 s the benchmark's IDLE latency was p50 1,007 ms.
      autoIdleDelay: 200,
    });
    // An unhandled 'error' event would crash the worker; the 'close' that follows ends the session.
    this.client.on('error', (error: unknown) => {
      this.deps.log.warn({ mailboxId: mailbox.id, error: errorMessage(error) }, 'IMAP connection error.');
    });
    this.closed = new Promise((resolve) => this.client.once('close', () => resolve()));
    this.client.on('exists', (event: { path: string }) => this.markDirty(event.path));
  }

  /** Resolves when the connection is gone, for whatever reason. */
  get done(): Promise<void> {
    return this.closed;
  }

  async start(): Promise<void> {
    const { sql, log } = this.deps;
    await setMailboxState(sql, this.mailbox.id, 'connecting');
    await this.client.connect();
    const list = await this.client.list();
    for (const f of resolveFolders(this.mailbox.folders, list)) {
      const row = await ensureFolder(sql, this.mailbox.id, f.path, f.specialUse, f.direction);
      this.folders.push({ ...row, name: f.name });
    }
    const missing = this.mailbox.folders.filter((name) => !this.folders.some((f) => f.name === name));
    if (missing.length > 0)
      log.warn({ mailboxId: this.mailbox.id, missing }, 'Some configured folders do not exist.');
    log.info(
      { mailboxId: this.mailbox.id, folders: this.folders.map((f) => f.path) },
      'IMAP session started.',
    );
    // Sync every folder once now (also after every reconnect), then keep INBOX selected for IDLE.
    for (const f of this.folders) this.dirty.add(f.path);
    // Through `working`, like every later sync: new mail announced during this first sync queues
    // behind it instead of opening another folder in the middle of it.
    this.working = this.drain();
    await this.working;
    this.reconcileTimer = setInterval(() => {
      for (const f of this.folders) this.markDirty(f.path);
    }, this.deps.settings.reconcileIntervalSeconds * 1000);
    this.reconcileTimer.unref();
  }

  private markDirty(path: string): void {
    if (this.closing || !this.folders.some((f) => f.path === path)) return;
    this.dirty.add(path);
    this.working = this.working.then(() => this.drain()).catch(() => {});
  }

  /** Syncs every dirty folder, one at a time, then returns to INBOX so IDLE watches for new mail. */
  private async drain(): Promise<void> {
    const { sql, clock, log } = this.deps;
    while (this.dirty.size > 0 && !this.closing && this.client.usable) {
      const path = this.dirty.values().next().value as string;
      this.dirty.delete(path);
      const folder = this.folders.find((f) => f.path === path);
      if (!folder) continue;
      await setMailboxState(sql, this.mailbox.id, 'syncing');
      try {
        const added = await this.syncFolder(folder);
        if (added > 0) log.info({ mailboxId: this.mailbox.id, folder: path, added }, 'Folder synced.');
      } catch (error) {
        log.warn(
          { mailboxId: this.mailbox.id, folder: path, error: errorMessage(error) },
          'Folder sync failed.',
        );
        if (!this.client.usable) throw error;
      }
    }
    if (this.closing || !this.client.usable) return;
    const inbox = this.folders.find((f) => f.path.toUpperCase() === 'INBOX') ?? this.folders[0];
    if (inbox && this.client.mailbox && this.client.mailbox.path !== inbox.path) {
      await this.client.mailboxOpen(inbox.path, { readOnly: true });
    }
    await setMailboxState(sql, this.mailbox.id, 'idle', { error: null, syncedAt: clock.now() });
  }

  private async syncFolder(folder: SyncedFolder): Promise<number> {
    const { sql, clock, settings } = this.deps;
    const box = await this.client.mailboxOpen(folder.path, { readOnly: true });
    const status = { uidValidity: BigInt(box.uidValidity), uidNext: box.uidNext, exists: box.exists };
    const plan = planFolderSync(folder, status, clock.now(), settings.syncSinceDays);
    if (plan.kind === 'none') {
      await touchFolder(sql, folder.id, clock.now());
      return 0;
    }
    if (plan.kind === 'initial' && plan.reason === 'uidvalidity_changed') {
      this.deps.log.warn(
        { mailboxId: this.mailbox.id, folder: folder.path },
        'UIDVALIDITY changed: full resync.',
      );
      // No reset needed: the first store of the new epoch restarts the cursor (moveCursor).
    }

    // Which UIDs: one bounded command, finished before any message source is fetched.
    let uids: number[] = [];
    if (plan.kind === 'range') {
      uids = ((await this.client.search({ uid: `${plan.fromUid}:*` }, { uid: true })) || []).filter(
        (uid) => uid >= plan.fromUid, // "N:*" names the last message even when N is above it
      );
    } else if (status.exists > 0) {
      uids = (await this.client.search({ since: plan.since }, { uid: true })) || [];
    }
    uids.sort((a, b) => a - b);
    const flags = plan.kind === 'initial' ? ['backfill'] : [];
    const target = { mailboxId: this.mailbox.id, folderId: folder.id };
    let added = 0;
    // The cursor follows the batches actually stored: a crash mid-backfill resumes after the last one.
    let highest = plan.kind === 'range' ? folder.lastUid : 0;
    // Batch N is stored while batch N+1 is fetched: the IMAP server and PostgreSQL work at the same
    // time, and at most two batches are in memory. Stores stay in order, so the cursor only moves forward.
    let storing: Promise<void> = Promise.resolve();
    // Sizes are asked a chunk of UIDs at a time, just before that chunk is fetched: a backfill starts
    // storing after one small round trip, not after the sizes of every message (5,000 took imapflow
    // 0.3 s to parse, all of it before the first message could be processed). The first chunk is small
    // so processing starts on it while the next ones arrive.
    for (let from = 0; from < uids.length; ) {
      const chunk = uids.slice(from, from + (from === 0 ? FIRST_BATCH_COUNT : FETCH_BATCH_COUNT));
      from += chunk.length;
      const sizes = (
        await this.client.fetchAll(compactRange(chunk), { uid: true, size: true }, { uid: true })
      ).map((m) => ({ uid: m.uid, size: m.size ?? 0 }));
      for (const batch of batchBySize(sizes, FETCH_BATCH_COUNT, FETCH_BATCH_BYTES)) {
        const only = batch.length === 1 ? (batch[0] as number) : undefined;
        if (only !== undefined && (sizes.find((m) => m.uid === only)?.size ?? 0) > FETCH_BATCH_BYTES) {
          // Larger than a whole batch: read from the server and stored in windows, never whole in memory.
          await storing;
          highest = Math.max(highest, only);
          added += await this.storeLarge(folder, status.uidValidity, only, flags);
          continue;
        }
        // Not further ahead of processing than the hand-over holds (see RawHandoff): room for this batch
        // and the one still being stored.
        await this.deps.handoff?.room(2 * FETCH_BATCH_BYTES);
        const fetched = await this.client.fetchAll(
          compactRange(batch),
          { uid: true, source: true, internalDate: true },
          { uid: true },
        );
        const messages = fetched
          .filter((m) => m.source)
          .map((m) => ({
            uid: m.uid,
            bytes: m.source as Buffer,
            internalDate: m.internalDate ? new Date(m.internalDate) : null,
          }));
        highest = Math.max(highest, ...batch);
        const highestUid = highest;
        await storing;
        storing = storeFetchedBatch(sql, target, status.uidValidity, messages, {
          now: clock.now(),
          flags,
          maxBytes: settings.maxMessageBytes,
          highestUid,
          handoff: this.deps.handoff,
        }).then((n) => {
          added += n;
        });
        // A failed store must not go unnoticed while the next batch is fetched.
        storing.catch(() => {});
      }
    }
    await storing;
    // After a complete initial sync, everything below UIDNEXT is behind us (older than the window).
    if (plan.kind === 'initial') highest = Math.max(highest, status.uidNext - 1);
    await storeFetchedBatch(sql, target, status.uidValidity, [], {
      now: clock.now(),
      flags,
      maxBytes: settings.maxMessageBytes,
      highestUid: highest,
    });
    // Mirror the stored cursor: after a UIDVALIDITY change the old epoch's last UID means nothing.
    folder.uidvalidity = status.uidValidity;
    folder.lastUid = highest;
    return added;
  }

  private async storeLarge(
    folder: SyncedFolder,
    uidValidity: bigint,
    uid: number,
    flags: string[],
  ): Promise<number> {
    const [meta] = await this.client.fetchAll(String(uid), { uid: true, internalDate: true }, { uid: true });
    const readWindow = async (start: number, length: number) => {
      const [part] = await this.client.fetchAll(
        String(uid),
        { uid: true, source: { start, maxLength: length } },
        { uid: true },
      );
      return part?.source ?? Buffer.alloc(0);
    };
    return storeLargeMessage(
      this.deps.sql,
      { mailboxId: this.mailbox.id, folderId: folder.id },
      uidValidity,
      { uid, internalDate: meta?.internalDate ? new Date(meta.internalDate) : null },
      readWindow,
      { now: this.deps.clock.now(), flags, maxBytes: this.deps.settings.maxMessageBytes },
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.reconcileTimer);
    await this.working.catch(() => {});
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
    await this.closed;
  }
}

/** "1:3,7,9:10" from ascending UIDs: keeps commands short for long backfills. */
export function compactRange(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = sorted[0];
  for (const uid of sorted.slice(1).concat([Number.NaN])) {
    if (prev !== undefined && uid === prev + 1) {
      prev = uid;
      continue;
    }
    if (start !== undefined && prev !== undefined)
      parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  return parts.join(',');
}
