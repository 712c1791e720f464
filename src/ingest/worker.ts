import type { Clock } from '../clock.js';
import type { Sql } from '../db/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProcessOptions } from './process-message.js';
import { DEFAULT_PROCESS_OPTIONS, drainQueue } from './queue.js';
import { QUEUE_CHANNEL } from './raw-store.repo.js';

const POLL_MS = 5_000;
/**
 * Queue lanes per process: while one lane parses, the others wait on the database (claiming, reading
 * raw rows, placing under the threading lock, committing). With one lane, the benchmark showed the
 * worker's main thread idle a third of the time and PostgreSQL idle while it parsed. Paired
 * 5,000-message backfills: two lanes 21.7, 20.1, 20.2 and 15.8 s; three 19.5, 19.5, 16.0 and 15.7 s;
 * four 15.3 and 17.7 s, at the same peak RSS. Placement stays serialised by the threading lock.
 */
const LANES = 3;

/**
 * Drains the processing queue whenever something is queued (LISTEN/NOTIFY) and at least every five
 * seconds (retries whose backoff ended, a missed notification). Any number of processes may run it.
 */
export function startProcessingLoop(
  sql: Sql,
  clock: Clock,
  log: Logger,
  options: ProcessOptions = DEFAULT_PROCESS_OPTIONS,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const lanes = Array.from({ length: LANES }, () => ({ running: Promise.resolve(), again: false }));

  const tick = () => {
    if (stopped) return;
    for (const lane of lanes) {
      lane.again = true;
      lane.running = lane.running.then(async () => {
        while (lane.again && !stopped) {
          lane.again = false;
          try {
            const counts = await drainQueue(sql, clock, log, options);
            if (counts.processed + counts.failed + counts.retry > 0) log.debug(counts, 'Queue drained.');
          } catch (error) {
            log.error({ error: errorMessage(error) }, 'Queue processing stopped on an error; retrying soon.');
          }
        }
      });
    }
  };

  const listening = sql.listen(QUEUE_CHANNEL, tick).catch((error) => {
    log.warn({ error: errorMessage(error) }, 'LISTEN failed; polling only.');
    return undefined;
  });
  const schedule = () => {
    timer = setTimeout(() => {
      tick();
      schedule();
    }, POLL_MS);
  };
  tick();
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await (await listening)?.unlisten().catch(() => {});
      await Promise.all(lanes.map((lane) => lane.running));
    },
  };
}
