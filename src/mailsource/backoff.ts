/**
 * Reconnect delay after `attempt` consecutive failures: exponential from 1 s, capped at 5 minutes,
 * with "equal jitter" (half fixed, half random) so a fleet that lost a server does not reconnect in
 * lock-step, yet never retries instantly. Pure; `random` is injectable for tests.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 1000,
  capMs = 300_000,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A connection that stayed up this long counts as healthy: the next failure starts from the first delay. */
export const HEALTHY_CONNECTION_MS = 60_000;
