import { createHash } from 'node:crypto';
import type { Sql, TransactionSql } from '../db/index.js';
import { AppError } from '../errors.js';
import type { VersionStatus } from './approval-rules.js';
import { type Actor, recordAudit } from './audit.repo.js';

export type DeliverableStatus =
  | 'draft'
  | 'in_review'
  | 'changes_requested'
  | 'approved'
  | 'delivered'
  | 'cancelled';

/** Allocates the client's next code (`ACME-12`) under the client row's lock, so codes never collide. */
export async function createDeliverable(
  tx: TransactionSql,
  input: {
    clientId: number;
    title: string;
    ownerId: number | null;
    dueAt: Date | null;
    status?: DeliverableStatus;
    /** The client request this work answers; creating it starts the request. */
    requestId?: number | null;
  },
  actor: Actor,
  at: Date,
): Promise<{ id: number; code: string }> {
  const [client] = await tx<{ code: string; seq: number }[]>`
    update clients set next_deliverable_seq = next_deliverable_seq + 1, updated_at = ${at}
    where id = ${input.clientId}
    returning code, next_deliverable_seq - 1 as seq`;
  if (!client) throw new Error(`Client ${input.clientId} not found`);
  const code = `${client.code}-${client.seq}`;
  const [row] = await tx<{ id: number }[]>`
    insert into deliverables (client_id, code, title, owner_id, request_id, due_at, status, created_at, updated_at)
    values (${input.clientId}, ${code}, ${input.title}, ${input.ownerId}, ${input.requestId ?? null}, ${input.dueAt},
            ${input.status ?? 'draft'}, ${at}, ${at})
    returning id`;
  const id = (row as { id: number }).id;
  await recordAudit(tx, {
    actor,
    action: 'deliverable.created',
    subjectType: 'deliverable',
    subjectId: id,
    after: { code, title: input.title, status: input.status ?? 'draft' },
    at,
  });
  return { id, code };
}

export interface NewVersion {
  deliverableId: number;
  note: string | null;
  linkUrl: string | null;
  files: { name: string; sha256: string; size: number }[];
  status: VersionStatus;
  sentAt: Date | null;
  createdBy: number | null;
}

/** File bodies by their sha256, stored once however many versions carry them. */
export async function storeFileBlobs(
  tx: TransactionSql,
  files: { sha256: string; bytes: Buffer }[],
  at: Date,
): Promise<void> {
  for (const f of files)
    await tx`
      insert into file_blobs (sha256, size, bytes, created_at) values (${f.sha256}, ${f.bytes.length}, ${f.bytes}, ${at})
      on conflict (sha256) do nothing`;
}

/** The content hash pins what the client saw: files by hash, the link and the note. */
export function versionContentHash(v: Pick<NewVersion, 'note' | 'linkUrl' | 'files'>): string {
  const canonical = JSON.stringify({
    files: [...v.files].map((f) => f.sha256).sort(),
    link: v.linkUrl ?? null,
    note: v.note ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export async function addVersion(
  tx: TransactionSql,
  input: NewVersion,
  actor: Actor,
  at: Date,
): Promise<{ id: number; number: number; contentHash: string }> {
  // Numbers are max + 1 under the deliverable's row lock, so two senders cannot both take v3.
  await tx`select 1 from deliverables where id = ${input.deliverableId} for update`;
  const [row] = await tx<{ id: number; number: number }[]>`
    insert into versions (deliverable_id, number, status, content_hash, note, link_url, files, sent_at, created_by, created_at)
    select ${input.deliverableId}, coalesce(max(number), 0) + 1, ${input.status}, ${versionContentHash(input)},
           ${input.note}, ${input.linkUrl}, ${tx.json(input.files)}, ${input.sentAt}, ${input.createdBy}, ${at}
    from versions where deliverable_id = ${input.deliverableId}
    returning id, number, content_hash`;
  const saved = row as { id: number; number: number; contentHash: string };
  await recordAudit(tx, {
    actor,
    action: 'version.created',
    subjectType: 'version',
    subjectId: saved.id,
    after: { deliverableId: input.deliverableId, number: saved.number, status: input.status },
    at,
  });
  return saved;
}

export interface DeliverableRow {
  id: number;
  clientId: number;
  code: string;
  title: string;
  status: DeliverableStatus;
  ownerId: number | null;
  dueAt: Date | null;
}

export async function findDeliverable(sql: Sql | TransactionSql, code: string): Promise<DeliverableRow> {
  const [row] = await sql<DeliverableRow[]>`
    select id, client_id, code, title, status, owner_id, due_at from deliverables where code = ${code.trim().toUpperCase()}`;
  if (!row) throw new AppError('NOT_FOUND', `No deliverable ${code}`);
  return row;
}

/** A version with what the approval rules and the review mail need of it and its deliverable. */
export interface VersionFacts {
  id: number;
  number: number;
  status: VersionStatus;
  contentHash: string | null;
  note: string | null;
  linkUrl: string | null;
  files: { name: string; sha256: string; size: number; contentType: string }[];
  sentAt: Date | null;
  deliverableId: number;
  deliverableCode: string;
  deliverableTitle: string;
  clientId: number;
}

export async function loadVersions(
  sql: Sql | TransactionSql,
  ids: number[],
): Promise<Map<number, VersionFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<VersionFacts[]>`
    select v.id, v.number, v.status, v.content_hash, v.note, v.link_url, v.files, v.sent_at,
           d.id as deliverable_id, d.code as deliverable_code, d.title as deliverable_title, d.client_id
    from versions v join deliverables d on d.id = v.deliverable_id
    where v.id = any(${ids}::bigint[])`;
  return new Map(rows.map((r) => [r.id, r]));
}

/** The deliverable's version by number, or its latest when no number is given. */
export async function findVersion(
  sql: Sql | TransactionSql,
  deliverableId: number,
  number: number | null,
): Promise<VersionFacts> {
  const [row] = await sql<{ id: number }[]>`
    select id from versions where deliverable_id = ${deliverableId}
      and (${number}::int is null or number = ${number})
    order by number desc limit 1`;
  const facts = row ? (await loadVersions(sql, [row.id])).get(row.id) : undefined;
  if (!facts)
    throw new AppError(
      'NOT_FOUND',
      number === null ? 'The deliverable has no version yet' : `No version ${number}`,
    );
  return facts;
}

/** The deliverable follows its current version: in review, changes requested, approved. */
const DELIVERABLE_FOLLOWS: Partial<Record<VersionStatus, DeliverableStatus>> = {
  in_review: 'in_review',
  changes_requested: 'changes_requested',
  approved: 'approved',
};

/** Moves a version (and its deliverable, for the current version) to a status; audited; no-op when unchanged. */
export async function setVersionStatus(
  tx: TransactionSql,
  versionId: number,
  status: VersionStatus,
  actor: Actor,
  at: Date,
  extra: { sentAt?: Date } = {},
): Promise<void> {
  const [before] = await tx<
    { status: VersionStatus; deliverableId: number; deliverableStatus: DeliverableStatus }[]
  >`
    select v.status, v.deliverable_id, d.status as deliverable_status
    from versions v join deliverables d on d.id = v.deliverable_id where v.id = ${versionId} for update of v, d`;
  if (!before) throw new AppError('NOT_FOUND', `No version ${versionId}`);
  if (before.status !== status || extra.sentAt) {
    await tx`
      update versions set status = ${status}, sent_at = coalesce(sent_at, ${extra.sentAt ?? null})
      where id = ${versionId}`;
    await recordAudit(tx, {
      actor,
      action: 'version.status_changed',
      subjectType: 'version',
      subjectId: versionId,
      before: { status: before.status },
      after: { status, ...(extra.sentAt ? { sentAt: extra.sentAt } : {}) },
      at,
    });
  }
  const follows = DELIVERABLE_FOLLOWS[status];
  if (follows && before.deliverableStatus !== follows && before.deliverableStatus !== 'cancelled') {
    await tx`update deliverables set status = ${follows}, updated_at = ${at} where id = ${before.deliverableId}`;
    await recordAudit(tx, {
      actor,
      action: 'deliverable.status_changed',
      subjectType: 'deliverable',
      subjectId: before.deliverableId,
      before: { status: before.deliverableStatus },
      after: { status: follows },
      at,
    });
  }
}

/** Sending version N for review supersedes every earlier version that is not superseded yet. */
export async function supersedeEarlier(
  tx: TransactionSql,
  version: { id: number; deliverableId: number; number: number },
  actor: Actor,
  at: Date,
): Promise<number[]> {
  const rows = await tx<{ id: number; status: VersionStatus }[]>`
    select id, status from versions
    where deliverable_id = ${version.deliverableId} and number < ${version.number} and status <> 'superseded'
    for update`;
  for (const row of rows) {
    await tx`update versions set status = 'superseded' where id = ${row.id}`;
    await recordAudit(tx, {
      actor,
      action: 'version.status_changed',
      subjectType: 'version',
      subjectId: row.id,
      before: { status: row.status },
      after: { status: 'superseded', by: version.id },
      at,
    });
  }
  return rows.map((r) => r.id);
}

export interface DeliverableView {
  id: number;
  code: string;
  client: string;
  title: string;
  status: DeliverableStatus;
  dueAt: Date | null;
  owner: string | null;
  versions: { number: number; status: VersionStatus; sentAt: string | null; contentHash: string | null }[];
}

export async function listDeliverables(
  sql: Sql,
  filter: { clientCode?: string } = {},
): Promise<DeliverableView[]> {
  // The version keys are camelCase already, so postgres.camel's rewrite of JSON keys leaves them as they are.
  return sql<DeliverableView[]>`
    select d.id, d.code, c.code as client, d.title, d.status, d.due_at, u.email as owner,
           coalesce((select json_agg(json_build_object('number', v.number, 'status', v.status, 'sentAt', v.sent_at,
                                                       'contentHash', v.content_hash) order by v.number)
                     from versions v where v.deliverable_id = d.id), '[]') as versions
    from deliverables d join clients c on c.id = d.client_id left join users u on u.id = d.owner_id
    where (${filter.clientCode ?? null}::text is null or c.code = ${filter.clientCode ?? null})
    order by c.code, d.id`;
}
