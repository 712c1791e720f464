import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import { loadAgency } from './agency.repo.js';
import { type Actor, recordAudit } from './audit.repo.js';

export interface NewClient {
  code: string;
  name: string;
  timeZone: string;
  accountLeadId: number | null;
  domains: string[];
  /** Merged into the stored SLA policy (hours are business hours in the client's zone). */
  sla?: Partial<SlaPolicy>;
  reporting?: ReportingSchedule;
}

export interface SlaPolicy {
  firstResponseHours: number;
  approvalReminderHours: number;
  escalateAfterHours: number;
  businessHours: { start: string; end: string; days: number[] };
}

export interface ReportingSchedule {
  cadence: 'weekly' | 'monthly' | 'off';
  weekday: number;
  time: string;
}

export interface ClientRow {
  id: number;
  code: string;
  name: string;
  timeZone: string;
  accountLeadId: number | null;
}

/**
 * Creates the client, or updates its name, time zone and lead when the code exists; domains are added.
 * A domain already owned by another client is refused: that is how an unknown sender's client is found.
 */
export async function saveClient(
  tx: TransactionSql,
  input: NewClient,
  actor: Actor,
  at: Date,
): Promise<{ id: number; created: boolean }> {
  const [before] = await tx<ClientRow[]>`
    select id, code, name, time_zone, account_lead_id from clients where code = ${input.code} for update`;
  const [row] = await tx<{ id: number }[]>`
    insert into clients (code, name, time_zone, account_lead_id, created_at, updated_at)
    values (${input.code}, ${input.name}, ${input.timeZone}, ${input.accountLeadId}, ${at}, ${at})
    on conflict (code) do update set name = excluded.name, time_zone = excluded.time_zone,
      account_lead_id = coalesce(excluded.account_lead_id, clients.account_lead_id), updated_at = excluded.updated_at
    returning id`;
  if (input.sla || input.reporting) {
    await tx`
      update clients set sla_policy = sla_policy || ${tx.json((input.sla ?? {}) as never)}::jsonb,
        reporting_schedule = coalesce(${input.reporting ? tx.json(input.reporting as never) : null}::jsonb, reporting_schedule)
      where id = ${(row as { id: number }).id}`;
  }
  const id = (row as { id: number }).id;
  const agencyDomains = (await loadAgency(tx))?.domains ?? [];
  for (const domain of input.domains.map((d) => d.trim().toLowerCase())) {
    if (agencyDomains.includes(domain))
      throw new AppError('BAD_INPUT', `The domain ${domain} is the agency's own`);
    const [owner] = await tx<{ clientId: number }[]>`
      insert into client_domains (domain, client_id, created_at) values (${domain}, ${id}, ${at})
      on conflict (domain) do update set domain = excluded.domain
      returning client_id`;
    if (owner && owner.clientId !== id)
      throw new AppError('BAD_INPUT', `The domain ${domain} belongs to another client`);
  }
  await recordAudit(tx, {
    actor,
    action: before ? 'client.updated' : 'client.created',
    subjectType: 'client',
    subjectId: id,
    before: before ?? undefined,
    after: input,
    at,
  });
  return { id, created: !before };
}

export async function findClientByCode(sql: Sql | TransactionSql, code: string): Promise<ClientRow> {
  const [row] = await sql<ClientRow[]>`
    select id, code, name, time_zone, account_lead_id from clients where code = ${code.trim().toUpperCase()}`;
  if (!row) throw new AppError('NOT_FOUND', `No client ${code}`);
  return row;
}

export interface NewContact {
  clientId: number;
  email: string;
  name: string;
  canApprove: boolean;
}

/** Creates the contact, or updates the name and whether they may approve. */
export async function saveContact(
  tx: TransactionSql,
  input: NewContact,
  actor: Actor,
  at: Date,
): Promise<{ id: number; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const [before] = await tx<{ id: number; name: string; canApprove: boolean }[]>`
    select id, name, can_approve from contacts where client_id = ${input.clientId} and email = ${email} for update`;
  const [row] = await tx<{ id: number }[]>`
    insert into contacts (client_id, email, name, can_approve, created_at, updated_at)
    values (${input.clientId}, ${email}, ${input.name}, ${input.canApprove}, ${at}, ${at})
    on conflict (client_id, email) do update set name = excluded.name, can_approve = excluded.can_approve,
      updated_at = excluded.updated_at
    returning id`;
  const id = (row as { id: number }).id;
  await recordAudit(tx, {
    actor,
    action: before ? 'contact.updated' : 'contact.created',
    subjectType: 'contact',
    subjectId: id,
    before: before ? { name: before.name, canApprove: before.canApprove } : undefined,
    after: { ...input, email },
    at,
  });
  return { id, created: !before };
}

export interface ClientView {
  id: number;
  code: string;
  name: string;
  domains: string[];
  timeZone: string;
  lead: string | null;
  contacts: number;
  approvers: number;
}

export async function listClients(sql: Sql): Promise<ClientView[]> {
  return sql<ClientView[]>`
    select c.id, c.code, c.name, c.time_zone, u.email as lead,
           coalesce((select array_agg(d.domain order by d.domain) from client_domains d where d.client_id = c.id), '{}') as domains,
           (select count(*)::int from contacts k where k.client_id = c.id) as contacts,
           (select count(*)::int from contacts k where k.client_id = c.id and k.can_approve) as approvers
    from clients c left join users u on u.id = c.account_lead_id
    where c.archived_at is null
    order by c.code`;
}

export interface ContactView {
  id: number;
  client: string;
  email: string;
  name: string;
  canApprove: boolean;
}

export async function listContacts(sql: Sql, filter: { clientCode?: string } = {}): Promise<ContactView[]> {
  return sql<ContactView[]>`
    select k.id, c.code as client, k.email, k.name, k.can_approve
    from contacts k join clients c on c.id = k.client_id
    where (${filter.clientCode ?? null}::text is null or c.code = ${filter.clientCode ?? null})
    order by c.code, k.email`;
}
