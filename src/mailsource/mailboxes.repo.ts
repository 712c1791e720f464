import type { EnvMailbox } from '../config.js';
import type { Sql } from '../db/index.js';
import { AppError } from '../errors.js';
import { seal, unseal } from '../secrets.js';

/** IMAP mailboxes: the one from IMAP_* variables (password never stored) and any added through the CLI. */

/** What a session needs to log in: the env mailbox's settings shape, with an id and a name. */
export interface MailboxSettings extends EnvMailbox {
  id: number;
  name: string;
}

export interface MailboxRow {
  id: number;
  name: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  folders: string[];
  source: 'env' | 'database';
  enabled: boolean;
  state: string;
  lastError: string | null;
  lastSyncAt: Date | null;
}

export function envMailboxName(env: EnvMailbox): string {
  return `${env.user}@${env.host}`;
}

export async function upsertEnvMailbox(sql: Sql, env: EnvMailbox): Promise<void> {
  await sql`
    insert into mailboxes (name, host, port, tls, username, folders, source)
    values (${envMailboxName(env)}, ${env.host}, ${env.port}, ${env.tls}, ${env.user}, ${env.folders}, 'env')
    on conflict (name) do update set
      host = excluded.host, port = excluded.port, tls = excluded.tls, username = excluded.username,
      folders = excluded.folders, enabled = true, updated_at = now()`;
}

export async function addMailbox(
  sql: Sql,
  appSecret: string,
  input: Omit<MailboxSettings, 'id'>,
): Promise<{ id: number; created: boolean }> {
  const [existing] = await sql`select 1 from mailboxes where name = ${input.name}`;
  const [row] = await sql<{ id: number }[]>`
    insert into mailboxes (name, host, port, tls, username, password_enc, folders, source)
    values (${input.name}, ${input.host}, ${input.port}, ${input.tls}, ${input.user},
            ${seal(appSecret, input.password)}, ${input.folders}, 'database')
    on conflict (name) do update set
      host = excluded.host, port = excluded.port, tls = excluded.tls, username = excluded.username,
      password_enc = excluded.password_enc, folders = excluded.folders, enabled = true, updated_at = now()
    returning id`;
  return { id: (row as { id: number }).id, created: existing === undefined };
}

export async function listMailboxes(sql: Sql): Promise<MailboxRow[]> {
  return sql<MailboxRow[]>`
    select id, name, host, port, tls, username, folders, source, enabled, state, last_error, last_sync_at
    from mailboxes order by id`;
}

/**
 * Removes a mailbox. One whose mail is already stored is disabled instead: its raw messages are the
 * evidence behind threads and approvals and stay.
 */
export async function removeMailbox(
  sql: Sql,
  nameOrId: string,
): Promise<{ id: number; removed: 'deleted' | 'disabled' }> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      select id from mailboxes where name = ${nameOrId} or id::text = ${nameOrId} for update`;
    if (!row) throw new AppError('NOT_FOUND', `No mailbox named ${nameOrId}`);
    const [stored] = await tx`select 1 from raw_messages where mailbox_id = ${row.id} limit 1`;
    if (stored) {
      await tx`update mailboxes set enabled = false, state = 'disabled', updated_at = now() where id = ${row.id}`;
      return { id: row.id, removed: 'disabled' as const };
    }
    await tx`delete from mailboxes where id = ${row.id}`;
    return { id: row.id, removed: 'deleted' as const };
  });
}

/** Enabled mailboxes with their passwords: the env mailbox's from config, the others unsealed. */
export async function loadEnabledMailboxes(
  sql: Sql,
  appSecret: string,
  env: EnvMailbox | undefined,
): Promise<MailboxSettings[]> {
  const rows = await sql<(MailboxRow & { passwordEnc: Buffer | null })[]>`
    select id, name, host, port, tls, username, folders, source, password_enc from mailboxes
    where enabled order by id`;
  const out: MailboxSettings[] = [];
  for (const row of rows) {
    let password: string | null = null;
    if (row.source === 'env') password = env && envMailboxName(env) === row.name ? env.password : null;
    else if (row.passwordEnc) password = unseal(appSecret, row.passwordEnc);
    if (password === null) continue; // an env mailbox whose variables are gone: nothing to log in with
    out.push({
      id: row.id,
      name: row.name,
      host: row.host,
      port: row.port,
      tls: row.tls,
      user: row.username,
      password,
      folders: row.folders,
    });
  }
  return out;
}

export async function setMailboxState(
  sql: Sql,
  id: number,
  state: 'connecting' | 'syncing' | 'idle' | 'backoff' | 'error' | 'stopped',
  update: { error?: string | null; syncedAt?: Date } = {},
): Promise<void> {
  await sql`
    update mailboxes set state = ${state},
      last_error = ${update.error === undefined ? sql`last_error` : update.error},
      last_sync_at = ${update.syncedAt ?? sql`last_sync_at`},
      updated_at = now()
    where id = ${id}`;
}
