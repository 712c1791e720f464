import type { TransactionSql } from '../db/index.js';
import { type Actor, recordAudit } from './audit.repo.js';

export interface NewClient {
  code: string;
  name: string;
  timeZone: string;
  accountLeadId: number | null;
  domains: string[];
}

export async function createClient(
  tx: TransactionSql,
  input: NewClient,
  actor: Actor,
  at: Date,
): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    insert into clients (code, name, time_zone, account_lead_id, created_at, updated_at)
    values (${input.code}, ${input.name}, ${input.timeZone}, ${input.accountLeadId}, ${at}, ${at})
    returning id`;
  const id = (row as { id: number }).id;
  for (const domain of input.domains) {
    await tx`insert into client_domains (domain, client_id, created_at) values (${domain.toLowerCase()}, ${id}, ${at})`;
  }
  await recordAudit(tx, {
    actor,
    action: 'client.created',
    subjectType: 'client',
    subjectId: id,
    after: input,
    at,
  });
  return id;
}

export interface NewContact {
  clientId: number;
  email: string;
  name: string;
  canApprove: boolean;
}

export async function addContact(
  tx: TransactionSql,
  input: NewContact,
  actor: Actor,
  at: Date,
): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    insert into contacts (client_id, email, name, can_approve, created_at, updated_at)
    values (${input.clientId}, ${input.email.toLowerCase()}, ${input.name}, ${input.canApprove}, ${at}, ${at})
    returning id`;
  const id = (row as { id: number }).id;
  await recordAudit(tx, {
    actor,
    action: 'contact.created',
    subjectType: 'contact',
    subjectId: id,
    after: input,
    at,
  });
  return id;
}
