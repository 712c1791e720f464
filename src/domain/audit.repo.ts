import type { Sql, TransactionSql } from '../db/index.js';

export type Actor =
  | { type: 'user'; id: number }
  | { type: 'system'; id: string }
  | { type: 'client'; id: string };

export const SYSTEM: Actor = { type: 'system', id: 'signoff' };

export interface AuditEvent {
  actor: Actor;
  action: string;
  subjectType: string;
  subjectId: number | string;
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** Append-only: written in the same transaction as the change it records. */
export async function recordAudit(tx: TransactionSql, event: AuditEvent): Promise<void> {
  await recordAudits(tx, [event]);
}

/** Several events in one statement (a batch of messages can change many threads). */
export async function recordAudits(tx: TransactionSql, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  await tx`
    insert into audit_events (at, actor_type, actor_id, action, subject_type, subject_id, before, after)
    select e.at, e.actor_type, e.actor_id, e.action, e.subject_type, e.subject_id, e.before::jsonb, e.after::jsonb
    from unnest(
      ${events.map((e) => e.at.toISOString())}::timestamptz[], ${events.map((e) => e.actor.type)}::text[],
      ${events.map((e) => String(e.actor.id))}::text[], ${events.map((e) => e.action)}::text[],
      ${events.map((e) => e.subjectType)}::text[], ${events.map((e) => String(e.subjectId))}::text[],
      ${events.map((e) => json(e.before))}::text[], ${events.map((e) => json(e.after))}::text[]
    ) as e(at, actor_type, actor_id, action, subject_type, subject_id, before, after)`;
}

export interface AuditView {
  id: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
}

/** The newest events first, optionally of one subject (type, and id). */
export async function listAudit(
  sql: Sql,
  filter: { subjectType?: string; subjectId?: string; limit: number },
): Promise<AuditView[]> {
  const rows = await sql<
    (Omit<AuditView, 'before' | 'after'> & { beforeJson: string | null; afterJson: string | null })[]
  >`
    select id, at, actor_type, actor_id, action, subject_type, subject_id,
           before::text as before_json, after::text as after_json
    from audit_events
    where (${filter.subjectType ?? null}::text is null or subject_type = ${filter.subjectType ?? null})
      and (${filter.subjectId ?? null}::text is null or subject_id = ${filter.subjectId ?? null})
    order by id desc limit ${filter.limit}`;
  // Read as text: postgres.camel would otherwise rewrite the keys inside the recorded values.
  return rows.map(({ beforeJson, afterJson, ...row }) => ({
    ...row,
    before: beforeJson === null ? null : JSON.parse(beforeJson),
    after: afterJson === null ? null : JSON.parse(afterJson),
  }));
}
