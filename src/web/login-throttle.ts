/**
 * Slows password guessing: after 10 failures for one address from one IP within 15 minutes, further
 * attempts are refused until the window passes. Per process; each web process guards its own door.
 */
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

export class LoginThrottle {
  private failures = new Map<string, number[]>();

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  blocked(key: string, now: number): boolean {
    return this.recent(key, now).length >= MAX_FAILURES;
  }

  fail(key: string, now: number): void {
    this.failures.set(key, [...this.recent(key, now), now]);
    if (this.failures.size > 10_000) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
