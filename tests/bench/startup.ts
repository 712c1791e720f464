import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, startApp } from '../helpers/process.js';

/**
 * What a newcomer waits for after `npm install`: from `npm start` on an empty data directory to a
 * served login page (embedded PostgreSQL initdb, migrations, demo import), then the same again with
 * the data directory reused. Goal: under 60 s on a fresh clone.
 */
export async function startupBench(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 3);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-bench-startup-'));
    await fs.chmod(dir, 0o755);
    for (const bucket of [cold, warm]) {
      const started = performance.now();
      buildApp();
      const app = await startApp({ DATA_DIR: dir });
      const page = await fetch(`${app.url}/login`);
      if (page.status !== 200) throw new Error(`login page answered ${page.status}`);
      bucket.push(performance.now() - started);
      await app.stop();
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
  const fmt = (xs: number[]) => xs.map((x) => `${(x / 1000).toFixed(2)} s`).join(', ');
  const max = (xs: number[]) => (Math.max(...xs) / 1000).toFixed(2);
  process.stdout.write(`cold start (new data dir): ${fmt(cold)}\n`);
  process.stdout.write(`warm start (reused data dir): ${fmt(warm)}\n`);
  process.stdout.write(
    `startup: worst cold ${max(cold)} s, worst warm ${max(warm)} s over ${runs} run(s) (goal < 60 s)\n`,
  );
}
