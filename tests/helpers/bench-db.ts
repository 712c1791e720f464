import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSql, maintenanceSql, type Sql } from '../../src/db/client.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/log.js';

export interface BenchDatabase {
  url: string;
  sql: Sql;
  /** Where it runs, for the benchmark's report. */
  where: string;
  /** Drops the database and stops the embedded server it started, if any. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for a benchmark: on the server of `serverUrl` (BENCH_DATABASE_URL) when
 * given, otherwise on an embedded PostgreSQL of its own in a temp directory.
 */
export async function openBenchDatabase(
  serverUrl: string | undefined,
  label: string,
): Promise<BenchDatabase> {
  const log = createLogger('warn');
  const dir = serverUrl ? undefined : await fs.mkdtemp(path.join(os.tmpdir(), `signoff-bench-${label}-`));
  if (dir) await fs.chmod(dir, 0o755);
  const embedded = dir ? await startEmbeddedPostgres(dir, log) : undefined;
  const adminUrl = serverUrl ?? (embedded?.adminUrl as string);
  const name = `signoff_bench_${label}_${Date.now()}`;
  const admin = maintenanceSql(adminUrl);
  await admin`create database ${admin(name)}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = createSql(url.toString(), { max: 2, applicationName: 'signoff-bench' });
  await migrate(sql, log);
  return {
    url: url.toString(),
    sql,
    where: serverUrl ? 'BENCH_DATABASE_URL' : 'the embedded PostgreSQL',
    async drop() {
      await sql.end({ timeout: 5 });
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end({ timeout: 5 });
      await embedded?.stop();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
