import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type BodyToRead, readBody } from '../classify/read-body.js';
import { errorMessage } from '../errors.js';

/** The understanding thread (see analysis-pool.ts): reads the text of one message at a time, in order. */

/**
 * How far below the main thread this thread runs (nice values). Its work is off the critical path: in
 * a backfill it sits idle about 60% of the time, while the main thread syncs, stores, parses and
 * places mail and PostgreSQL waits on the main thread. At equal priority the main thread was switched
 * out involuntarily about 6,000 times in a 5,000-message backfill, and its profile showed 6% in
 * `postMessage`, the hand-over that wakes this thread; 3,500-4,600 times at nice 5 or 10. Paired
 * backfills on two cores: 20.1 s mean over five runs at nice 0, 17.9 s at nice 5, 17.1 s over three
 * at nice 10. On a machine that is not busy, a nice value changes nothing.
 */
const NICE_OFFSET = 10;

/** Lowers this thread's own priority where threads have their own (Linux); elsewhere nothing changes. */
function yieldToMainThread(): void {
  try {
    // "<pid>/task/<tid>": setpriority() on a thread id applies to that thread alone on Linux. A new
    // thread starts at its creator's nice value, which getPriority() reads.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority() + NICE_OFFSET));
  } catch {
    // No /proc, or not allowed: the thread keeps the process's priority.
  }
}

const port = parentPort;
if (!port) throw new Error('understanding-thread.ts runs as a worker thread only');
yieldToMainThread();

port.on('message', ({ id, ...body }: BodyToRead & { id: number }) => {
  try {
    port.postMessage({ id, result: readBody(body) });
  } catch (error) {
    port.postMessage({ id, error: { code: null, message: errorMessage(error) } });
  }
});
