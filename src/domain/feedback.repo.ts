import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import { type Actor, recordAudit } from './audit.repo.js';

export interface NewFeedback {
  versionId: number;
  messageId: number;
  contactId: number | null;
  fromAddress: string;
  body: string;
  receivedAt: Date;
}

/** Feedback on the exact version the reply answers; one row per message, so a replay adds nothing. */
export async function recordFeedback(
  tx: TransactionSql,
  input: NewFeedback,
  actor: Actor,
  at: Date,
): Promise<number | null> {
  const [row] = await tx<{ id: number }[]>`
    insert into feedback (version_id, message_id, contact_id, from_address, body, received_at, status, created_at)
    values (${input.versionId}, ${input.messageId}, ${input.contactId}, ${input.fromAddress}, ${input.body},
            ${input.receivedAt}, 'open', ${at})
    on conflict do nothing
    returning id`;
  if (!row) return null;
  await recordAudit(tx, {
    actor,
    action: 'feedback.recorded',
    subjectType: 'feedback',
    subjectId: row.id,
    after: {
      versionId: input.versionId,
      messageId: input.messageId,
      from: input.fromAddress,
      status: 'open',
    },
    at,
  });
  return row.id;
}

export async function markFeedbackAddressed(
  tx: TransactionSql,
  id: number,
  actor: Actor,
  at: Date,
): Promise<'addressed' | 'unchanged'> {
  const [before] = await tx<{ status: string }[]>`select status from feedback where id = ${id} for update`;
  if (!before) throw new AppError('NOT_FOUND', `No feedback ${id}`);
  if (before.status === 'addressed') return 'unchanged';
  const userId = actor.type === 'user' ? actor.id : null;
  await tx`
    update feedback set status = 'addressed', addressed_at = ${at}, addressed_by = ${userId} where id = ${id}`;
  await recordAudit(tx, {
    actor,
    action: 'feedback.addressed',
    subjectType: 'feedback',
    subjectId: id,
    before: { status: before.status },
    after: { status: 'addressed' },
    at,
  });
  return 'addressed';
}

export interface FeedbackView {
  id: number;
  deliverable: string;
  version: number;
  from: string;
  intent: string | null;
  text: string;
  status: 'open' | 'addressed';
  receivedAt: Date;
  messageId: string | null;
}

export async function listFeedback(
  sql: Sql,
  filter: { deliverableCode?: string; status?: 'open' | 'addressed' } = {},
): Promise<FeedbackView[]> {
  return sql<FeedbackView[]>`
    select f.id, d.code as deliverable, v.number as version, f.from_address as from, m.intent, f.body as text,
           f.status, f.received_at, m.message_id_header as message_id
    from feedback f
      join versions v on v.id = f.version_id
      join deliverables d on d.id = v.deliverable_id
      join messages m on m.id = f.message_id
    where (${filter.deliverableCode ?? null}::text is null or d.code = ${filter.deliverableCode ?? null})
      and (${filter.status ?? null}::text is null or f.status = ${filter.status ?? null})
    order by f.received_at, f.id`;
}
