import { type ResourceLimits, Worker } from 'node:worker_threads';
import { AppError, type ErrorCode, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ParseLimits } from '../parse/parse-email.js';
import type { AnalysisJob } from './analysis-thread.js';
import { analyzeMessage, type MessageAnalysis } from './analyze.js';

/**
 * Where messages are read (parsed and classified): on the calling thread, or on parse threads.
 *
 * Reading is most of a worker's CPU. On one thread the ingest benchmark kept the main thread 95%
 * busy while almost half of the second core sat idle; parse threads let IMAP, the database and
 * placement run beside the reading. A thread also makes the parse time limit hard: a message that
 * keeps its thread busy past the limit (a runaway regex, say, where no timer can fire) is stopped
 * with its thread, marked failed, and the thread replaced; the messages queued behind it move on.
 */
export interface Analyzer {
  /** How many messages are worth handing over at once. */
  readonly concurrency: number;
  analyze(bytes: Buffer, limits: ParseLimits, size: number): Promise<MessageAnalysis>;
  close(): Promise<void>;
}

export const inlineAnalyzer: Analyzer = {
  concurrency: 1,
  analyze: analyzeMessage,
  close: async () => {},
};

export interface ParseThreadSettings {
  /**
   * Past the parse time limit, a message still gets its header-only summary (up to 5 s) and its
   * classification; a thread that has not answered by twice the limit plus this is stuck.
   */
  stuckGraceMs: number;
  /**
   * A small young generation: with two threads it lowered the peak RSS by 44 MB at the same speed
   * (600 benchmark messages).
   */
  resourceLimits: ResourceLimits;
}

const DEFAULT_SETTINGS: ParseThreadSettings = {
  stuckGraceMs: 10_000,
  resourceLimits: { maxYoungGenerationSizeMb: 8 },
};
/** Messages handed to one thread ahead of the one it is reading, so it never waits for the next. */
const AHEAD_PER_THREAD = 2;

interface Job {
  id: number;
  bytes: Buffer;
  limits: ParseLimits;
  size: number;
  resolve(analysis: MessageAnalysis): void;
  reject(error: unknown): void;
}

type Reply =
  | { id: number; analysis: MessageAnalysis }
  | { id: number; error: { code: string | null; message: string } };

const ERROR_CODES = new Set<string>(['PARSE_FAILED', 'PARSE_LIMIT', 'BAD_INPUT', 'COPY_FORMAT']);

function rebuildError(error: { code: string | null; message: string }): Error {
  return error.code && ERROR_CODES.has(error.code)
    ? new AppError(error.code as ErrorCode, error.message)
    : new Error(error.message);
}

/**
 * The thread runs analysis-thread.ts. This project runs its TypeScript sources through tsx, whose
 * loader a Node 20 worker does not apply to its own entry file: the entry registers it first.
 */
function spawnWorker(resourceLimits: ResourceLimits): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts'))
    return new Worker(new URL('./analysis-thread.js', self), { resourceLimits });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./analysis-thread.ts', self).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, resourceLimits },
  );
}

class ParseThread {
  private worker: Worker | null = null;
  /** Sent to the thread, in the order it reads them: the first is the one being read. */
  private readonly sent: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private answered = false;

  constructor(
    private readonly settings: ParseThreadSettings,
    private readonly log: Logger,
    private readonly onFailedStart: (jobs: Job[], error: Error) => void,
  ) {}

  get load(): number {
    return this.sent.length;
  }

  send(job: Job): void {
    const worker = this.ensureWorker();
    this.sent.push(job);
    // A copy of exactly these bytes, moved to the thread: a Buffer is often a view of a larger
    // allocation, and posting a view would clone all of it.
    const bytes = new Uint8Array(job.bytes.length);
    bytes.set(job.bytes);
    const message: AnalysisJob = { id: job.id, bytes, limits: job.limits, size: job.size };
    worker.postMessage(message, [bytes.buffer]);
    worker.ref();
    if (this.sent.length === 1) this.arm();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    const worker = this.worker;
    this.worker = null;
    for (const job of this.sent.splice(0)) job.reject(new Error('The parse threads were closed.'));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.settings.resourceLimits);
    this.answered = false;
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (error) => this.onDeath(worker, error));
    worker.on('exit', (code) =>
      this.onDeath(worker, new Error(`The parse thread exited with code ${code}.`)),
    );
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The deadline of the message being read: it starts when the one before it was answered. */
  private arm(): void {
    clearTimeout(this.timer);
    const head = this.sent[0];
    if (!head) return;
    const limitMs = 2 * head.limits.timeoutMs + this.settings.stuckGraceMs;
    this.timer = setTimeout(() => {
      const worker = this.worker;
      if (!worker) return;
      this.log.warn({ limitMs }, 'A message kept its parse thread busy past the limit; stopping the thread.');
      this.retire(
        worker,
        new AppError(
          'PARSE_LIMIT',
          `Reading the message took over ${limitMs} ms; its parse thread was stopped.`,
        ),
      );
      void worker.terminate();
    }, limitMs);
    this.timer.unref();
  }

  private onReply(reply: Reply): void {
    const job = this.sent[0];
    if (!job || job.id !== reply.id) return; // answered after its thread was retired
    this.sent.shift();
    this.answered = true;
    if ('analysis' in reply) job.resolve(reply.analysis);
    else job.reject(rebuildError(reply.error));
    if (this.sent.length === 0) this.worker?.unref();
    this.arm();
  }

  private onDeath(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.log.warn({ error: errorMessage(error) }, 'A parse thread stopped; starting another.');
    this.retire(
      worker,
      new AppError('PARSE_LIMIT', `The parse thread failed on this message: ${errorMessage(error)}`),
    );
  }

  /**
   * Drops a thread. The message it was reading takes the blame; the ones queued behind it go to a new
   * thread. A thread that never answered at all could not start, and blaming a message would be wrong.
   */
  private retire(worker: Worker, blame: Error): void {
    if (this.worker !== worker) return;
    clearTimeout(this.timer);
    this.worker = null;
    worker.removeAllListeners('message');
    const jobs = this.sent.splice(0);
    if (!this.answered) {
      this.onFailedStart(jobs, blame);
      return;
    }
    jobs.shift()?.reject(blame);
    for (const job of jobs) this.send(job);
  }
}

/** `count` parse threads; messages go to the least loaded. */
export function startParseThreads(
  count: number,
  log: Logger,
  settings: Partial<ParseThreadSettings> = {},
): Analyzer {
  if (count < 1) return inlineAnalyzer;
  let nextId = 1;
  const threads = Array.from(
    { length: count },
    () =>
      new ParseThread({ ...DEFAULT_SETTINGS, ...settings }, log, (jobs, error) => {
        log.error(
          { error: errorMessage(error) },
          'A parse thread could not start; its messages will be retried.',
        );
        for (const job of jobs) job.reject(new Error(`No parse thread could start: ${errorMessage(error)}`));
      }),
  );
  return {
    concurrency: count * AHEAD_PER_THREAD,
    analyze(bytes, limits, size) {
      return new Promise<MessageAnalysis>((resolve, reject) => {
        const thread = threads.reduce((best, t) => (t.load < best.load ? t : best));
        thread.send({ id: nextId++, bytes, limits, size, resolve, reject });
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}
