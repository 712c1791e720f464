import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { projectPath } from '../files.js';
import type { Logger } from '../log.js';
import type { Sql } from './client.js';
import { LOCKS } from './locks.js';

export const MIGRATIONS_DIR = projectPath('sql/');

const FILE_PATTERN = /^(\d{5})_([a-z0-9_-]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  text: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new AppError('MIGRATION_FAILED', `Migration file ${file} must be named NNNNN_name.sql`);
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new AppError('MIGRATION_FAILED', `Two migration files share version ${match[1]}`);
    }
    migrations.push({
      version,
      name: match[2] ?? file,
      checksum: createHash('sha256').update(text).digest('hex'),
      text,
    });
  }
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction that first takes a transaction-scoped
 * advisory lock: processes starting together apply each migration exactly once, and a failed
 * migration rolls back whole. A landed migration whose file changed stops start-up.
 */
export async function migrate(sql: Sql, log: Logger, dir = MIGRATIONS_DIR): Promise<{ applied: number[] }> {
  const migrations = await readMigrations(dir);
  const applied: number[] = [];
  for (const migration of migrations) {
    const didApply = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${LOCKS.migrate})`;
      await tx`
        create table if not exists schema_migrations (
          version integer not null,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now(),
          constraint schema_migrations_pkey primary key (version)
        )`;
      const [done] = await tx<{ checksum: string }[]>`
        select checksum from schema_migrations where version = ${migration.version}`;
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new AppError(
            'MIGRATION_CHANGED',
            `Migration ${migration.version} (${migration.name}) changed after it was applied; add a new migration instead`,
          );
        }
        return false;
      }
      try {
        await tx.unsafe(migration.text);
      } catch (error) {
        throw new AppError('MIGRATION_FAILED', `Migration ${migration.version} (${migration.name}) failed`, {
          cause: error,
        });
      }
      await tx`
        insert into schema_migrations (version, name, checksum)
        values (${migration.version}, ${migration.name}, ${migration.checksum})`;
      return true;
    });
    if (didApply) {
      applied.push(migration.version);
      log.info({ version: migration.version, name: migration.name }, 'Migration applied.');
    }
  }
  log.info({ applied: applied.length, total: migrations.length }, 'Migrations up to date.');
  return { applied };
}
