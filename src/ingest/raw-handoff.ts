/**
 * Bytes this process just fetched over IMAP and stored, kept briefly so its own queue lanes can parse
 * them without reading them back from the database. Bounded by bytes (oldest out first); a miss simply
 * reads from the database.
 *
 * It is also the sync's brake. In a cold backfill the sync stores far faster than mail is processed:
 * without a brake it ran thousands of messages ahead, the bytes fell out of here, and nine messages in
 * ten were read back from PostgreSQL (about a seventh of its CPU in the ingest benchmark). So the sync
 * waits for room before it fetches more, at most `maxWaitMs` at a time. With several workers, rows
 * this process stored may be processed by another; what another process claimed is dropped here as
 * soon as a lane of this one claims rows stored after it, or claims nothing at all.
 *
 * Entries are put once their rows are committed, so a claim that started after an entry was put
 * could see its row.
 */
export class RawHandoff {
  private readonly entries = new Map<number, { bytes: Buffer; seq: number }>();
  private size = 0;
  private seq = 0;
  private waiters: { fits: () => boolean; done: () => void }[] = [];

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxWaitMs = 10_000,
  ) {}

  /** Bytes of a committed row. */
  put(id: number, bytes: Buffer): void {
    if (bytes.length > this.maxBytes / 4 || this.entries.has(id)) return;
    this.entries.set(id, { bytes, seq: this.seq++ });
    this.size += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.drop(oldest, entry.bytes);
    }
  }

  take(id: number): Buffer | undefined {
    const entry = this.entries.get(id);
    if (entry) this.drop(id, entry.bytes);
    this.wake();
    return entry?.bytes;
  }

  /** Taken just before a lane claims rows; passed back to `claimed` with what it got. */
  mark(): number {
    return this.seq;
  }

  /**
   * Claims go oldest first, so an entry older than the first row a lane got, or older than a claim
   * that got nothing, was claimed by another process.
   */
  claimed(ids: readonly number[], mark: number): void {
    const first = ids.length > 0 ? Math.min(...ids) : Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (id >= first || entry.seq >= mark) break;
      this.drop(id, entry.bytes);
    }
    this.wake();
  }

  /** Resolves once `incoming` more bytes fit without pushing out any entry, or after `maxWaitMs`. */
  room(incoming: number): Promise<void> {
    const fits = () => this.size + Math.min(incoming, this.maxBytes) <= this.maxBytes;
    if (fits()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { fits, done: () => {} };
      waiter.done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      const timer = setTimeout(waiter.done, this.maxWaitMs);
      timer.unref();
      this.waiters.push(waiter);
    });
  }

  private drop(id: number, bytes: Buffer): void {
    this.entries.delete(id);
    this.size -= bytes.length;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) if (waiter.fits()) waiter.done();
  }
}
