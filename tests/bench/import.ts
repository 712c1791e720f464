import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../src/clock.js';
import { drainQueue } from '../../src/ingest/queue.js';
import { createLogger } from '../../src/log.js';
import { importPaths } from '../../src/mailsource/import-files.js';
import { openBenchDatabase } from '../helpers/bench-db.js';

/**
 * Import throughput: N generated client messages (threads of five, a reply quoting its parent) stored
 * raw, then parsed, threaded and written. Uses BENCH_DATABASE_URL (a server URL; a fresh database is
 * created on it) or the embedded PostgreSQL.
 */
function message(i: number): string {
  const thread = Math.floor(i / 5);
  const parent = i % 5 === 0 ? null : `<bench-${i - 1}@client.example>`;
  return [
    `From: Client ${thread} <person${thread}@client.example>`,
    'To: inbox@studio.example',
    `Subject: ${parent ? 'Re: ' : ''}Campaign ${thread} assets`,
    `Date: ${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString()}`,
    `Message-ID: <bench-${i}@client.example>`,
    ...(parent ? [`In-Reply-To: ${parent}`, `References: ${parent}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Message ${i}: please adjust the banner copy and send a new version.`,
    '',
    '> earlier text quoted here',
    '',
  ].join('\r\n');
}

export async function importBench(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 2000);
  const log = createLogger('warn');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-bench-mail-'));
  for (let i = 0; i < count; i++)
    await fs.writeFile(path.join(dir, `${String(i).padStart(6, '0')}.eml`), message(i));
  const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL, 'import');
  try {
    const t0 = performance.now();
    const report = await importPaths(db.sql, [dir], systemClock);
    const t1 = performance.now();
    const processed = await drainQueue(db.sql, systemClock, log);
    const t2 = performance.now();
    const [threads] = await db.sql`select count(*)::int as n from threads`;
    const rate = (n: number, ms: number) => ((n / ms) * 1000).toFixed(0);
    process.stdout.write(
      `stored ${report.added} raw messages in ${((t1 - t0) / 1000).toFixed(2)} s (${rate(report.added, t1 - t0)}/s)\n`,
    );
    process.stdout.write(
      `processed ${processed.processed} (failed ${processed.failed}) in ${((t2 - t1) / 1000).toFixed(2)} s (${rate(processed.processed, t2 - t1)}/s) into ${threads?.n} threads on ${db.where}\n`,
    );
    process.stdout.write(`import: ${rate(count, t2 - t0)} messages/s end to end for ${count} messages\n`);
  } finally {
    await db.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
