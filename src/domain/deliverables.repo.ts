import { createHash } from 'node:crypto';
import type { TransactionSql } from '../db/index.js';
import { type Actor, recordAudit } from './audit.repo.js';

export type DeliverableStatus =
  | 'draft'
  | 'in_review'
  | 'changes_requested'
  | 'approved'
  | 'delivered'
  | 'cancelled';
export type VersionStatus = 'draft' | 'in_review' | 'changes_requested' | 'approved' | 'superseded';

/** Allocates the client's next code (`ACME-12`) under the client row's lock, so codes never collide. */
export async function createDeliverable(
  tx: TransactionSql,
  input: {
    clientId: number;
    title: string;
    ownerId: number | null;
    dueAt: Date | null;
    status?: DeliverableStatus;
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
    insert into deliverables (client_id, code, title, owner_id, due_at, status, created_at, updated_at)
    values (${input.clientId}, ${code}, ${input.title}, ${input.ownerId}, ${input.dueAt},
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
): Promise<{ id: number; number: number }> {
  // Numbers are max + 1 under the deliverable's row lock, so two senders cannot both take v3.
  await tx`select 1 from deliverables where id = ${input.deliverableId} for update`;
  const [row] = await tx<{ id: number; number: number }[]>`
    insert into versions (deliverable_id, number, status, content_hash, note, link_url, files, sent_at, created_by, created_at)
    select ${input.deliverableId}, coalesce(max(number), 0) + 1, ${input.status}, ${versionContentHash(input)},
           ${input.note}, ${input.linkUrl}, ${tx.json(input.files)}, ${input.sentAt}, ${input.createdBy}, ${at}
    from versions where deliverable_id = ${input.deliverableId}
    returning id, number`;
  const saved = row as { id: number; number: number };
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
