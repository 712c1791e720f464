import fs from 'node:fs';
import { openBenchDatabase } from '../helpers/bench-db.js';
import { startDovecot } from '../helpers/dovecot.js';
import { clientMessage, imapClient, imapEnv } from '../helpers/imap.js';
import { malformedCases } from '../helpers/malformed.js';
import { buildApp, exited, spawnWorker } from '../helpers/process.js';

/**
 * Worker memory while huge messages are ingested: two messages of just over 50 MB (a base64
 * attachment) among small ones, synced from a private Dovecot by a separate worker process whose
 * peak resident memory (VmHWM) is reported. Uses BENCH_DATABASE_URL or the embedded PostgreSQL.
 */
export async function largeBench(args: string[]): Promise<void> {
  const megabytes = Number(args[0] ?? 50);
  buildApp();
  const dovecot = await startDovecot();
  const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL, 'large');
  try {
    const user = await dovecot.addUser('large');
    const client = await imapClient(dovecot, user);
    const huge = malformedCases({ hugeBytes: megabytes * 1024 * 1024 }).find(
      (c) => c.name === '50 MB attachment',
    );
    if (!huge) throw new Error('no huge case');
    for (let i = 0; i < 10; i++) await client.append('INBOX', clientMessage());
    await client.append('INBOX', huge.bytes);
    await client.append(
      'INBOX',
      Buffer.from(huge.bytes.toString('latin1').replace('Huge attachment', 'Huge again'), 'latin1'),
    );
    for (let i = 0; i < 10; i++) await client.append('INBOX', clientMessage());
    await client.logout();
    const total = 22;

    const started = performance.now();
    const worker = spawnWorker({
      DATABASE_URL: db.url,
      APP_SECRET: 'bench-large-secret-bench-large-secret-0123',
      ...imapEnv(dovecot, user),
      LOG_LEVEL: 'warn',
    });
    let peakKb = 0;
    const sample = setInterval(() => {
      const status = fs.readFileSync(`/proc/${worker.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    }, 50);
    try {
      for (;;) {
        const [row] = await db.sql<{ done: number; failed: number }[]>`
          select count(*) filter (where process_state = 'processed')::int as done,
                 count(*) filter (where process_state = 'failed')::int as failed
          from raw_messages`;
        if ((row?.done ?? 0) + (row?.failed ?? 0) >= total) break;
        if (worker.exitCode !== null) throw new Error(`worker exited early:\n${worker.output()}`);
        if (performance.now() - started > 300_000) throw new Error('no progress for 5 minutes');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      clearInterval(sample);
      worker.kill('SIGTERM');
      await exited(worker);
    }
    const [sizes] = await db.sql<{ largest: number; flagged: number }[]>`
      select max(size)::int as largest, count(*) filter (where 'oversize' = any(flags))::int as flagged from raw_messages`;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `stored and processed ${total} messages (largest ${sizes?.largest} bytes, ${sizes?.flagged} flagged oversize) in ${seconds} s\n`,
    );
    process.stdout.write(`large message_mb=${megabytes} rss_mb=${Math.round(peakKb / 1024)}\n`);
  } finally {
    await db.drop();
    await dovecot.stop();
  }
}
