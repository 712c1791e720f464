import fs from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { openDatabase, type Sql } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import type { Actor } from '../domain/audit.repo.js';
import { findUserByEmail } from '../domain/users.repo.js';
import { isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { processingOptions } from '../processing.js';
import { resolveAppSecret } from '../secrets.js';

/** What every command module shares: its context, argument helpers and the database it runs against. */

/** Wrong use of a command: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Context {
  values: Values;
  positionals: string[];
  clock: Clock;
  config: () => Config;
  log: () => Logger;
}

export interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: 'none' | 'some';
  run(ctx: Context): Promise<number>;
}

export function optionalString(values: Values, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value.trim();
}

export function requireString(values: Values, name: string): string {
  const value = optionalString(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

/** An option given any number of times (`--to a --to b`). */
export function stringList(values: Values, name: string): string[] {
  const value = values[name];
  const list = value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
  return list.map((v) => v.trim()).filter((v) => v !== '');
}

export function print(json: boolean, data: unknown, text: string) {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`);
}

/** Opens the database (migrated), runs `fn`, and always closes it. */
export async function withDatabase<T>(ctx: Context, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const log = ctx.log();
  const db = await openDatabase(ctx.config(), log, 'signoff-cli');
  try {
    await migrate(db.sql, log);
    return await fn(db.sql);
  } finally {
    await db.close();
  }
}

/** Processing as the worker does it (signing keys, sender checks, confirmations), for commands that drain the queue. */
export async function cliProcessOptions(config: Config, options: { confirmations: boolean }) {
  return processingOptions(config, await resolveAppSecret(config), options);
}

/** Who a command acts as in the audit trail: the team member named by --as, else the CLI itself. */
export async function cliActor(sql: Sql, values: Values): Promise<Actor> {
  const email = optionalString(values, 'as');
  if (email === undefined) return { type: 'system', id: 'cli' };
  const user = await findUserByEmail(sql, email);
  if (!user) throw new UsageError(`--as ${email}: no such user (add one with user add)`);
  return { type: 'user', id: user.id };
}

export async function readSecretFile(file: unknown, option: string): Promise<string> {
  if (typeof file !== 'string' || file.trim() === '') throw new UsageError(`missing --${option}`);
  try {
    return (await fs.readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new UsageError(`cannot read --${option} ${file}`);
  }
}

export function parsePositiveInt(value: unknown, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new UsageError(`--${option} must be a whole number from 1 to ${max}`);
  return n;
}

/** A row id given as the command's one positional argument. */
export function singleId(ctx: Context, what: string): number {
  const [id, ...extra] = ctx.positionals;
  if (id === undefined || extra.length > 0 || !/^\d+$/.test(id)) throw new UsageError(`needs one ${what} id`);
  return Number(id);
}

export function oneOf<T extends string>(
  values: readonly T[],
  value: string | undefined,
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value))
    throw new UsageError(`--${option} must be one of ${values.join(', ')}`);
  return value as T;
}

/** Expected failures of the use cases (unknown code, bad state) are usage errors: a message, exit 2. */
export async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isAppError(error, 'NOT_FOUND') || isAppError(error, 'BAD_INPUT')) throw new UsageError(error.message);
    throw error;
  }
}

/** A read-only listing: filters as options, one line per row, or the rows as JSON with --json. */
export function listCommand<T>(
  options: Command['options'],
  load: (ctx: Context, sql: Sql) => Promise<T[]>,
  line: (row: T) => string,
  empty: string,
): Command {
  return {
    options: { ...options, json: { type: 'boolean' } },
    async run(ctx) {
      const rows = await withDatabase(ctx, (sql) => load(ctx, sql));
      print(Boolean(ctx.values.json), rows, rows.length === 0 ? empty : rows.map(line).join('\n'));
      return 0;
    },
  };
}
