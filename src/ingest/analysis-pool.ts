import { type ResourceLimits, type TransferListItem, Worker } from 'node:worker_threads';
import { type BodyReading, bodyOf } from '../classify/read-body.js';
import { AppError, type ErrorCode, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ParseLimits } from '../parse/parse-email.js';
import type { AnalysisJob } from './analysis-thread.js';
import { analyzeMessage, analyzeMime, type MessageAnalysis } from './analyze.js';

/**
 * Where messages are read (MIME parsed, then their text split and classified): all on the calling
 * thread (the CLI), the text on one understanding thread (a worker's default), or whole messages on
 * parse threads (PARSE_THREADS, for machines with cores to spare).
 *
 * Reading is most of a worker's CPU, and the worker's main thread also syncs, stores and places
 * mail: with everything on it, the ingest benchmark kept it busy 75-95% of a backfill. Reply text and
 * intent are about half of reading and need only the bodies and the subject, so they move to a thread
 * cheaply: the main thread's CPU per message fell from 2.04-2.24 to 1.36-1.41 ms (three paired runs;
 * throughput rose by 3% only, as both cores were already busy).
 * Whole messages on threads unload the main thread further, but each thread holds raw bytes and all
 * of the MIME code; on two cores one such thread cost more memory than it bought speed.
 *
 * A thread also makes the time limit hard: a message that keeps its thread busy past the limit (a
 * runaway regex, say, where no timer can fire) is stopped with its thread, marked failed, and the
 * thread replaced; the messages queued behind it move on.
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
   * classification: a parse thread that has not answered by twice the limit plus this is stuck, and
   * the understanding thread (which only reads text) by the limit plus this.
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
  /**
   * What is posted to the thread with `id`, made afresh for every send (a job moves to a new thread
   * when its thread is replaced, and what was transferred once is gone): the message and what moves
   * instead of being copied.
   */
  payload(): [object, TransferListItem[]];
  /** How long the thread may take once it starts on this job before it counts as stuck. */
  limitMs: number;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

type Reply =
  | { id: number; result: unknown }
  | { id: number; error: { code: string | null; message: string } };

const ERROR_CODES = new Set<string>(['PARSE_FAILED', 'PARSE_LIMIT', 'BAD_INPUT', 'COPY_FORMAT']);

function rebuildError(error: { code: string | null; message: string }): Error {
  return error.code && ERROR_CODES.has(error.code)
    ? new AppError(error.code as ErrorCode, error.message)
    : new Error(error.message);
}

/**
 * A thread runs `<entry>.js` beside the build this was bundled into (`npm run build` writes the thread
 * entries next to `dist/main.js`), or `<entry>.ts` beside this file when the sources run through tsx
 * (the CLI, `npm run dev`): a Node 20 worker does not apply tsx's loader to its own entry file, so
 * the entry registers it first.
 */
function spawnWorker(entry: string, resourceLimits: ResourceLimits): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return new Worker(new URL(`./${entry}.js`, self), { resourceLimits });
  const tsx = import.meta.resolve('tsx/esm/api');
  const url = new URL(`./${entry}.ts`, self).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`,
    { eval: true, resourceLimits },
  );
}

class HelperThread {
  private worker: Worker | null = null;
  /** Sent to the thread, in the order it reads them: the first is the one being read. */
  private readonly sent: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private answered = false;

  constructor(
    private readonly entry: string,
    private readonly resourceLimits: ResourceLimits,
    private readonly log: Logger,
    private readonly onFailedStart: (jobs: Job[], error: Error) => void,
  ) {}

  get load(): number {
    return this.sent.length;
  }

  send(job: Job): void {
    const worker = this.ensureWorker();
    this.sent.push(job);
    const [payload, transfer] = job.payload();
    worker.postMessage({ id: job.id, ...payload }, transfer);
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
    const worker = spawnWorker(this.entry, this.resourceLimits);
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
    const { limitMs } = head;
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
    if ('result' in reply) job.resolve(reply.result);
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

/** `count` threads running `entry`; each job goes to the least loaded. */
function startThreads(entry: string, count: number, log: Logger, resourceLimits: ResourceLimits) {
  let nextId = 1;
  const threads = Array.from(
    { length: count },
    () =>
      new HelperThread(entry, resourceLimits, log, (jobs, error) => {
        log.error(
          { error: errorMessage(error) },
          'A parse thread could not start; its messages will be retried.',
        );
        for (const job of jobs) job.reject(new Error(`No parse thread could start: ${errorMessage(error)}`));
      }),
  );
  return {
    run<T>(payload: Job['payload'], limitMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const thread = threads.reduce((best, t) => (t.load < best.load ? t : best));
        thread.send({
          id: nextId++,
          payload,
          limitMs,
          resolve: resolve as (r: unknown) => void,
          reject,
        });
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

/** `count` parse threads that read whole messages; messages go to the least loaded. */
export function startParseThreads(
  count: number,
  log: Logger,
  settings: Partial<ParseThreadSettings> = {},
): Analyzer {
  if (count < 1) return inlineAnalyzer;
  const { stuckGraceMs, resourceLimits } = { ...DEFAULT_SETTINGS, ...settings };
  const threads = startThreads('analysis-thread', count, log, resourceLimits);
  return {
    concurrency: count * AHEAD_PER_THREAD,
    analyze(bytes, limits, size) {
      // A copy of exactly these bytes, moved to the thread: a Buffer is often a view of a larger
      // allocation, and posting a view would clone all of it.
      const payload = (): [Omit<AnalysisJob, 'id'>, TransferListItem[]] => {
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        return [{ bytes: copy, limits, size }, [copy.buffer]];
      };
      return threads.run<MessageAnalysis>(payload, 2 * limits.timeoutMs + stuckGraceMs);
    },
    close: () => threads.close(),
  };
}

/**
 * MIME parsing on the calling thread, the text (reply and intent) on one thread: it reads one
 * message's text while the calling thread parses the next. The thread gets only the bodies, the
 * subject and the automation verdict, and loads no MIME code, so it stays small (about 50 MB).
 */
export function startUnderstandingThread(log: Logger, settings: Partial<ParseThreadSettings> = {}): Analyzer {
  const { stuckGraceMs, resourceLimits } = { ...DEFAULT_SETTINGS, ...settings };
  const thread = startThreads('understanding-thread', 1, log, resourceLimits);
  return {
    concurrency: AHEAD_PER_THREAD + 1,
    async analyze(bytes, limits, size) {
      const mime = await analyzeMime(bytes, limits, size);
      const body = bodyOf(mime);
      const read = await thread.run<BodyReading>(() => [body, []], limits.timeoutMs + stuckGraceMs);
      return { ...mime, ...read };
    },
    close: () => thread.close(),
  };
}
