import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import { type Actor, recordAudit } from './audit.repo.js';

/**
 * The agency itself: its name and the mail domains its staff write from. Mail from these domains is
 * ours (outbound), never a client's; the domain of INBOX_ADDRESS counts as well, without being listed.
 */
export interface Agency {
  name: string;
  domains: string[];
}

export async function loadAgency(sql: Sql | TransactionSql): Promise<Agency | null> {
  const [row] = await sql<{ value: Partial<Agency> }[]>`select value from settings where key = 'agency'`;
  if (!row) return null;
  return { name: row.value.name ?? '', domains: (row.value.domains ?? []).map((d) => d.toLowerCase()) };
}

/** Replaces the agency's name and domains; a domain that belongs to a client is refused. */
export async function saveAgency(tx: TransactionSql, input: Agency, actor: Actor, at: Date): Promise<void> {
  const domains = [...new Set(input.domains.map((d) => d.trim().toLowerCase()))];
  const [taken] = await tx<{ domain: string; code: string }[]>`
    select d.domain, c.code from client_domains d join clients c on c.id = d.client_id
    where d.domain = any(${domains}) order by d.domain limit 1`;
  if (taken) throw new AppError('BAD_INPUT', `The domain ${taken.domain} belongs to client ${taken.code}`);
  const before = await loadAgency(tx);
  const after: Agency = { name: input.name, domains };
  await tx`
    insert into settings (key, value, updated_at) values ('agency', ${tx.json(after as never)}, ${at})
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`;
  await recordAudit(tx, {
    actor,
    action: 'agency.updated',
    subjectType: 'agency',
    subjectId: 'agency',
    before: before ?? undefined,
    after,
    at,
  });
}
