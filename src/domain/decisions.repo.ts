import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import type { DecisionReason } from './approval-rules.js';
import { type Actor, recordAudit } from './audit.repo.js';

export type DecisionStatus = 'final' | 'needs_confirmation' | 'confirmed' | 'dismissed';

/** What a lead (or an auditor) needs to trust or question a decision, frozen when it was made. */
export interface DecisionEvidence {
  messageId: string | null;
  rawSha256: string;
  from: string | null;
  auth: { verdict: string; method: string; detail: string };
  decidingPhrase: string | null;
  versionNumber: number | null;
  contentHash: string | null;
  receivedAt: string;
  resolvedBy: string | null;
  /** Every rule that failed, in REASON_ORDER; `reason` is the first. */
  reasons: DecisionReason[];
  /** The contact the reply token was issued to, when the reply carried one. */
  tokenRecipientContactId: number | null;
}

export interface NewDecision {
  deliverableId: number | null;
  versionId: number | null;
  messageId: number;
  contactId: number | null;
  intent: 'approval' | 'conditional_approval';
  status: 'final' | 'needs_confirmation';
  reason: DecisionReason | null;
  evidence: DecisionEvidence;
}

/**
 * Records a decision once: the same message (by row, or by Message-ID header for the same version, as
 * when a captured approval is sent again) never records a second one.
 */
export async function recordDecision(
  tx: TransactionSql,
  input: NewDecision,
  actor: Actor,
  at: Date,
): Promise<number | null> {
  if (input.evidence.messageId !== null) {
    const [replay] = await tx<{ id: number }[]>`
      select a.id from approvals a join messages m on m.id = a.message_id
      where m.message_id_header = ${input.evidence.messageId}
        and a.version_id is not distinct from ${input.versionId}
      limit 1`;
    if (replay) return null;
  }
  const [row] = await tx<{ id: number }[]>`
    insert into approvals (deliverable_id, version_id, message_id, contact_id, intent, status, reason, evidence, created_at)
    values (${input.deliverableId}, ${input.versionId}, ${input.messageId}, ${input.contactId}, ${input.intent},
            ${input.status}, ${input.reason}, ${tx.json(input.evidence as never)}, ${at})
    on conflict (message_id) do nothing
    returning id`;
  if (!row) return null;
  await recordAudit(tx, {
    actor,
    action: input.status === 'final' ? 'approval.final' : 'approval.needs_confirmation',
    subjectType: 'approval',
    subjectId: row.id,
    after: {
      versionId: input.versionId,
      status: input.status,
      reason: input.reason,
      from: input.evidence.from,
    },
    at,
  });
  return row.id;
}

export interface DecisionRow {
  id: number;
  deliverableId: number | null;
  versionId: number | null;
  messageId: number;
  contactId: number | null;
  intent: 'approval' | 'conditional_approval';
  status: DecisionStatus;
  reason: DecisionReason | null;
}

/** A lead settles a decision that needed confirmation; only those can be settled, once. */
export async function settleDecision(
  tx: TransactionSql,
  id: number,
  outcome: 'confirmed' | 'dismissed',
  actor: Actor,
  at: Date,
): Promise<DecisionRow> {
  const [before] = await tx<DecisionRow[]>`
    select id, deliverable_id, version_id, message_id, contact_id, intent, status, reason
    from approvals where id = ${id} for update`;
  if (!before) throw new AppError('NOT_FOUND', `No decision ${id}`);
  if (before.status !== 'needs_confirmation')
    throw new AppError(
      'BAD_INPUT',
      `Decision ${id} is ${before.status}; only a decision that needs confirmation can be settled`,
    );
  const userId = actor.type === 'user' ? actor.id : null;
  await tx`
    update approvals set status = ${outcome}, resolved_by = ${userId}, resolved_at = ${at} where id = ${id}`;
  await recordAudit(tx, {
    actor,
    action: outcome === 'confirmed' ? 'approval.confirmed' : 'approval.dismissed',
    subjectType: 'approval',
    subjectId: id,
    before: { status: before.status, reason: before.reason },
    after: { status: outcome },
    at,
  });
  return { ...before, status: outcome };
}

export interface DecisionView {
  id: number;
  deliverable: string | null;
  version: number | null;
  intent: string;
  status: DecisionStatus;
  reason: DecisionReason | null;
  from: string | null;
  messageId: string | null;
  receivedAt: Date;
  decidingPhrase: string | null;
  auth: string;
  threadId: number | null;
}

export async function listDecisions(
  sql: Sql,
  filter: { deliverableCode?: string; status?: DecisionStatus } = {},
): Promise<DecisionView[]> {
  const rows = await sql<(Omit<DecisionView, 'messageId'> & { messageIdHeader: string | null })[]>`
    select a.id, d.code as deliverable, v.number as version, a.intent, a.status, a.reason, m.from_address as from,
           m.message_id_header, m.received_at, m.deciding_phrase, coalesce(a.evidence->'auth'->>'detail', '') as auth,
           m.thread_id
    from approvals a
      join messages m on m.id = a.message_id
      left join deliverables d on d.id = a.deliverable_id
      left join versions v on v.id = a.version_id
    where (${filter.deliverableCode ?? null}::text is null or d.code = ${filter.deliverableCode ?? null})
      and (${filter.status ?? null}::text is null or a.status = ${filter.status ?? null})
    order by m.received_at, a.id`;
  return rows.map(({ messageIdHeader, ...row }) => ({
    ...row,
    messageId: messageIdHeader ? `<${messageIdHeader}>` : null,
  }));
}
