import { parentPort } from 'node:worker_threads';
import { errorMessage, isAppError } from '../errors.js';
import type { ParseLimits } from '../parse/parse-email.js';
import { analyzeMessage } from './analyze.js';

/**
 * A parse thread (see analysis-pool.ts): reads one message at a time, in the order they arrive, so
 * the pool knows which message is running when it has to stop a thread that takes too long.
 */

export interface AnalysisJob {
  id: number;
  bytes: Uint8Array;
  limits: ParseLimits;
  size: number;
}

const port = parentPort;
if (!port) throw new Error('analysis-thread.ts runs as a worker thread only');

let queue = Promise.resolve();
port.on('message', (job: AnalysisJob) => {
  queue = queue.then(async () => {
    try {
      const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
      const analysis = await analyzeMessage(bytes, job.limits, job.size);
      port.postMessage({ id: job.id, result: analysis });
    } catch (error) {
      port.postMessage({
        id: job.id,
        error: { code: isAppError(error) ? error.code : null, message: errorMessage(error) },
      });
    }
  });
});
