import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import {
  type Analyzer,
  startParseThreads,
  startUnderstandingThread,
} from '../../src/ingest/analysis-pool.js';
import { analyzeMessage } from '../../src/ingest/analyze.js';
import { createLogger } from '../../src/log.js';
import { EMAIL_FIXTURES, emailFixtureFiles } from '../helpers/fixtures.js';
import { malformedCases } from '../helpers/malformed.js';
import { readStat } from '../helpers/process.js';

const LIMITS = { maxBytes: 50 * 1024 * 1024, timeoutMs: 30_000 };
const log = createLogger('silent');

const fixtureFiles = () => emailFixtureFiles().map((f) => path.join(EMAIL_FIXTURES, f));

function analyze(pool: Analyzer, bytes: Buffer, limits = LIMITS) {
  return pool.analyze(bytes, limits, bytes.length);
}

describe('parse threads', () => {
  let pool: Analyzer | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  // Whole messages on parse threads, or MIME on this thread and the text on the understanding thread.
  const kinds: [string, () => Analyzer][] = [
    ['parse threads', () => startParseThreads(2, log)],
    ['the understanding thread', () => startUnderstandingThread(log)],
  ];

  it.each(kinds)('read every fixture on %s exactly as the main thread does', async (_, start) => {
    pool = start();
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThan(50);
    const bytes = files.map((f) => fs.readFileSync(f));
    // All at once: replies come back to the right callers whatever the order threads finish in.
    const threaded = await Promise.all(bytes.map((b) => analyze(pool as Analyzer, b)));
    for (const [i, b] of bytes.entries()) {
      expect(threaded[i], files[i]).toEqual(await analyzeMessage(b, LIMITS, b.length));
    }
  });

  it.each(kinds)('flag damaged messages on %s as the main thread does', async (_, start) => {
    pool = start();
    for (const c of malformedCases({ hugeBytes: 2 * 1024 * 1024 })) {
      const threaded = await analyze(pool, c.bytes, { maxBytes: 1024 * 1024, timeoutMs: 10_000 });
      expect(threaded.flags, c.name).toEqual(expect.arrayContaining(c.flags));
    }
  });

  it('stop a message that keeps its thread past the limit, and read the ones behind it', async () => {
    pool = startParseThreads(1, log, { stuckGraceMs: 0 });
    const [small] = fixtureFiles().map((f) => fs.readFileSync(f));
    if (!small) throw new Error('no fixture');
    await analyze(pool, small); // the thread is up and has answered
    // 1 ms of parse time and no grace: nothing of 8 MB is read in 2 ms.
    const big = Buffer.concat([small, Buffer.alloc(8 * 1024 * 1024, 'x')]);
    const stuck = analyze(pool, big, { ...LIMITS, timeoutMs: 1 });
    const behind = analyze(pool, small);
    await expect(stuck).rejects.toMatchObject({ code: 'PARSE_LIMIT' });
    await expect(stuck).rejects.toBeInstanceOf(AppError);
    expect((await behind).email.subject).toBe(
      (await analyzeMessage(small, LIMITS, small.length)).email.subject,
    );
  });

  // Linux gives each thread its own nice value.
  it.skipIf(os.platform() !== 'linux')('run the understanding thread below the main thread', async () => {
    const niceValues = () =>
      fs.readdirSync('/proc/self/task').map((tid) => readStat(`/proc/self/task/${tid}/stat`)?.nice);
    const base = os.getPriority();
    const before = niceValues().filter((n) => n !== undefined && n > base).length;
    pool = startUnderstandingThread(log);
    const [small] = fixtureFiles().map((f) => fs.readFileSync(f));
    if (!small) throw new Error('no fixture');
    await analyze(pool, small); // the thread is up
    expect(niceValues().filter((n) => n !== undefined && n > base).length).toBe(before + 1);
    expect(os.getPriority()).toBe(base);
  });
});
