import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ParseLimits } from '../parse/parse-email.js';
import { parseHeadersOnly } from '../parse/read-message.js';
import { analyzeEmail, type MessageAnalysis } from './analyze.js';
import type { ParseJob, ParseReply } from './parse-worker.js';

/**
 * Parse threads: the CPU-heavy read of a message (MIME, reply text, automated-mail checks) runs off the
 * main thread, which keeps the IMAP session, the database and placement moving; the ingest benchmark
 * had the main thread busy parsing most of the time. A thread stuck on one message (a parse that never
 * yields) is terminated after the parse time limit and replaced; the message is then read from its
 * headers alone, as any parse over the limit is.
 */

// The thread's own timer fires first for a parse that yields; this one is for one that does not.
const GRACE_MS = 5_000;

interface Pending {
  bytes: Buffer;
  size: number;
  resolve(analysis: MessageAnalysis): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: (Pending & { id: number; timer: NodeJS.Timeout }) | null;
}

/** Source code of a thread: loads parse-worker, through tsx when the sources run untranspiled. */
function bootCode(): string {
  const target = new URL(`./parse-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
    .href;
  if (!import.meta.url.endsWith('.ts')) return `import(${JSON.stringify(target)});`;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); });`;
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly threads: number,
    private readonly limits: ParseLimits,
    private readonly log: Logger,
  ) {
    if (threads < 1) throw new RangeError('a parse pool needs at least one thread');
  }

  /** Same contract as analyzeMessage, in a parse thread. */
  readonly analyze = (bytes: Buffer, size: number): Promise<MessageAnalysis> => {
    if (this.closed) return Promise.reject(new AppError('PARSE_FAILED', 'The parse pool is closed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, size, resolve, reject });
      this.pump();
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.reject(new AppError('PARSE_FAILED', 'The parse pool closed.'));
    await Promise.all(this.slots.splice(0).map((slot) => this.retire(slot, 'The parse pool closed.')));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift() as Pending);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(bootCode(), { eval: true });
    worker.unref(); // an idle pool never keeps the process alive
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: ParseReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      clearTimeout(job.timer);
      slot.job = null;
      if (reply.ok) job.resolve(reply.analysis);
      else job.reject(new AppError((reply.code as ErrorCode | null) ?? 'PARSE_FAILED', reply.message));
      this.pump();
    });
    // A thread that dies (out of memory on one message, a bug) fails only its current message.
    worker.on('error', (error) =>
      this.replace(slot, 'PARSE_FAILED', `The parse thread failed: ${error.message}`),
    );
    worker.on('exit', (code) =>
      this.replace(slot, 'PARSE_FAILED', `The parse thread exited with code ${code}.`),
    );
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, pending: Pending): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.timedOut(slot), this.limits.timeoutMs + GRACE_MS);
    slot.job = { ...pending, id, timer };
    // Posting a view would clone the whole buffer behind it (often a much larger network read); a copy
    // of just the message is made once and moved, not cloned again.
    const bytes = new Uint8Array(pending.bytes);
    const job: ParseJob = { id, bytes, size: pending.size, limits: this.limits };
    slot.worker.postMessage(job, [bytes.buffer]);
  }

  private timedOut(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.job = null;
    this.log.warn(
      { limitMs: this.limits.timeoutMs },
      'A parse thread was stuck past the parse time limit; replacing it.',
    );
    void this.retire(slot, 'replaced after a stuck parse'); // pump() starts its replacement
    parseHeadersOnly(job.bytes, this.limits)
      .then((email) => job.resolve(analyzeEmail(email, ['parse_timeout', 'headers_only'])))
      .catch(job.reject);
    this.pump();
  }

  private replace(slot: Slot, code: ErrorCode, message: string): void {
    if (!this.slots.includes(slot)) return; // retired on purpose
    const job = slot.job;
    slot.job = null;
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (job) {
      clearTimeout(job.timer);
      this.log.error({ code }, message);
      job.reject(new AppError(code, message));
    }
    if (!this.closed) this.pump();
  }

  private async retire(slot: Slot, why: string): Promise<void> {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(new AppError('PARSE_FAILED', why));
      slot.job = null;
    }
    await slot.worker.terminate();
  }
}
