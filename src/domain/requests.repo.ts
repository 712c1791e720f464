import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import { type Actor, recordAudit } from './audit.repo.js';

export type RequestStatus = 'new' | 'in_progress' | 'done' | 'declined';

export interface NewRequest {
  clientId: number;
  threadId: number;
  originMessageId: number;
  requesterEmail: string;
  requesterContactId: number;
  title: string;
  description: string;
  dueAt: Date | null;
  ownerId: number | null;
  receivedAt: Date;
}

/** One request per originating message: a replay of the message creates nothing. */
export async function createRequest(
  tx: TransactionSql,
  input: NewRequest,
  actor: Actor,
  at: Date,
): Promise<number | null> {
  const [row] = await tx<{ id: number }[]>`
    insert into requests (client_id, thread_id, origin_message_id, requester_email, requester_contact_id, title,
                          description, due_at, owner_id, status, received_at, created_at, updated_at)
    values (${input.clientId}, ${input.threadId}, ${input.originMessageId}, ${input.requesterEmail},
            ${input.requesterContactId}, ${input.title}, ${input.description}, ${input.dueAt}, ${input.ownerId},
            'new', ${input.receivedAt}, ${at}, ${at})
    on conflict (origin_message_id) do nothing
    returning id`;
  if (!row) return null;
  await recordAudit(tx, {
    actor,
    action: 'request.created',
    subjectType: 'request',
    subjectId: row.id,
    after: {
      clientId: input.clientId,
      title: input.title,
      dueAt: input.dueAt,
      ownerId: input.ownerId,
      status: 'new',
    },
    at,
  });
  return row.id;
}

/**
 * Work has started: status in_progress and the intake-to-start clock stops, once (a second start keeps
 * the first time). Also called when a deliverable is created from the request.
 */
export async function startRequest(
  tx: TransactionSql,
  id: number,
  actor: Actor,
  at: Date,
  expect: { clientId?: number } = {},
): Promise<void> {
  const [before] = await tx<{ status: RequestStatus; startedAt: Date | null; clientId: number }[]>`
    select status, started_at, client_id from requests where id = ${id} for update`;
  if (!before) throw new AppError('NOT_FOUND', `No request ${id}`);
  if (expect.clientId !== undefined && before.clientId !== expect.clientId)
    throw new AppError('BAD_INPUT', `Request ${id} is another client's`);
  if (before.status !== 'new') return;
  await tx`
    update requests set status = 'in_progress', started_at = coalesce(started_at, ${at}), updated_at = ${at}
    where id = ${id}`;
  await recordAudit(tx, {
    actor,
    action: 'request.started',
    subjectType: 'request',
    subjectId: id,
    before: { status: before.status, startedAt: before.startedAt },
    after: { status: 'in_progress', startedAt: before.startedAt ?? at },
    at,
  });
}

export interface RequestView {
  id: number;
  client: string;
  requester: string | null;
  title: string;
  status: RequestStatus;
  dueAt: Date | null;
  owner: string | null;
  receivedAt: Date;
  startedAt: Date | null;
  threadId: number | null;
}

/** `open` is new and in progress together: what still needs the agency. */
export async function listRequests(
  sql: Sql,
  filter: { clientCode?: string; status?: RequestStatus | 'open' } = {},
): Promise<RequestView[]> {
  return sql<RequestView[]>`
    select r.id, c.code as client, r.requester_email as requester, r.title, r.status, r.due_at, u.email as owner,
           r.received_at, r.started_at, r.thread_id
    from requests r join clients c on c.id = r.client_id left join users u on u.id = r.owner_id
    where (${filter.clientCode ?? null}::text is null or c.code = ${filter.clientCode ?? null})
      and (${filter.status ?? null}::text is null or r.status = ${filter.status ?? null}
           or (${filter.status ?? null} = 'open' and r.status in ('new', 'in_progress')))
    order by r.received_at desc, r.id desc`;
}
