import { parentPort } from 'node:worker_threads';
import { type BodyToRead, readBody } from '../classify/read-body.js';
import { errorMessage } from '../errors.js';

/** The understanding thread (see analysis-pool.ts): reads the text of one message at a time, in order. */

const port = parentPort;
if (!port) throw new Error('understanding-thread.ts runs as a worker thread only');

port.on('message', ({ id, ...body }: BodyToRead & { id: number }) => {
  try {
    port.postMessage({ id, result: readBody(body) });
  } catch (error) {
    port.postMessage({ id, error: { code: null, message: errorMessage(error) } });
  }
});
