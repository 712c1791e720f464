import path from 'node:path';
import type { Config } from '../config.js';
import { AppError, errorMessage } from '../errors.js';
import { type Logger, redactUrl } from '../log.js';
import { createSql, type Sql } from './client.js';
import { startEmbeddedPostgres } from './embedded.js';

export type { Sql, TransactionSql } from './client.js';

export interface Database {
  sql: Sql;
  kind: 'external' | 'embedded';
  close(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR, shared with other local processes. */
export async function openDatabase(
  config: Config,
  log: Logger,
  applicationName = 'signoff',
): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(path.join(config.dataDir), log);
  const url = config.databaseUrl ?? embedded?.url ?? '';
  // The pid in application_name tells an operator (and pg_locks) which process holds what.
  const sql = createSql(url, {
    max: config.databasePoolMax,
    applicationName: `${applicationName}:${process.pid}`,
  });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    await embedded?.stop().catch(() => {});
    throw new AppError('DB_UNAVAILABLE', `Cannot connect to ${redactUrl(url)}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  let closed = false;
  return {
    sql,
    kind: embedded ? 'embedded' : 'external',
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
