import { parentPort } from 'node:worker_threads';
import { errorMessage, isAppError } from '../errors.js';
import type { ParseLimits } from '../parse/parse-email.js';
import { analyzeMessage } from './analyze.js';

/** The body of a parse thread: one job at a time, from parse-pool.ts. */

export interface ParseJob {
  id: number;
  bytes: Uint8Array;
  size: number;
  limits: ParseLimits;
}

export type ParseReply =
  | { id: number; ok: true; analysis: Awaited<ReturnType<typeof analyzeMessage>> }
  | { id: number; ok: false; code: string | null; message: string };

parentPort?.on('message', async (job: ParseJob) => {
  let reply: ParseReply;
  try {
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    reply = { id: job.id, ok: true, analysis: await analyzeMessage(bytes, job.limits, job.size) };
  } catch (error) {
    reply = {
      id: job.id,
      ok: false,
      code: isAppError(error) ? error.code : null,
      message: errorMessage(error),
    };
  }
  parentPort?.postMessage(reply);
});
