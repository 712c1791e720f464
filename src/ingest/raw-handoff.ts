/**
 * Bytes this process just fetched over IMAP and stored, kept briefly so its own queue lanes can parse
 * them without reading them back from the database. Bounded by bytes (oldest out first); a miss simply
 * reads from the database.
 */
export class RawHandoff {
  private readonly entries = new Map<number, Buffer>();
  private size = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  put(id: number, bytes: Buffer): void {
    if (bytes.length > this.maxBytes / 4 || this.entries.has(id)) return;
    this.entries.set(id, bytes);
    this.size += bytes.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.size -= buffer.length;
    }
  }

  take(id: number): Buffer | undefined {
    const bytes = this.entries.get(id);
    if (bytes) {
      this.entries.delete(id);
      this.size -= bytes.length;
    }
    return bytes;
  }
}
