import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, maintenanceSql, type Sql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/log.js';

export const quietLog = createLogger('silent');

export interface TestDatabase {
  name: string;
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A brand-new database on the run's server; `migrated: false` leaves it empty. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `signoff_test_${randomBytes(5).toString('hex')}`;
  const admin = maintenanceSql(adminUrl);
  await admin`create database ${admin(name)}`;
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const sql = createSql(url, { max: 5 });
  if (options.migrated !== false) await migrate(sql, quietLog);
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const admin = maintenanceSql(adminUrl);
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}
