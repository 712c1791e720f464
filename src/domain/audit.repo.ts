import type { TransactionSql } from '../db/index.js';

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
  await tx`
    insert into audit_events (at, actor_type, actor_id, action, subject_type, subject_id, before, after)
    values (${event.at}, ${event.actor.type}, ${String(event.actor.id)}, ${event.action}, ${event.subjectType},
            ${String(event.subjectId)}, ${event.before === undefined ? null : tx.json(event.before as never)},
            ${event.after === undefined ? null : tx.json(event.after as never)})`;
}
