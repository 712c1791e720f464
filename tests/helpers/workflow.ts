import type { Sql } from '../../src/db/index.js';
import { SYSTEM } from '../../src/domain/audit.repo.js';
import { saveClient, saveContact } from '../../src/domain/clients.repo.js';
import { addVersion, createDeliverable } from '../../src/domain/deliverables.repo.js';
import { type OutboundIdentity, type ReviewSend, sendForReview } from '../../src/outbound/review.js';

/**
 * The agency Brightline with one client, Acme (acme.example), whose approver Sarah Kim gets version 1
 * of ACME-1 for review: what `client add`, `contact add`, `deliverable add`, `version add` and
 * `version send` would do, in one transaction.
 */
export function seedReview(
  sql: Sql,
  identity: OutboundIdentity,
  title: string,
  now: Date,
): Promise<ReviewSend> {
  return sql.begin(async (tx) => {
    await tx`insert into settings (key, value) values ('agency', ${tx.json({ domains: ['brightline.example'] })})`;
    const { id: clientId } = await saveClient(
      tx,
      {
        code: 'ACME',
        name: 'Acme',
        timeZone: 'Europe/Berlin',
        accountLeadId: null,
        domains: ['acme.example'],
      },
      SYSTEM,
      now,
    );
    await saveContact(
      tx,
      { clientId, email: 'sarah@acme.example', name: 'Sarah Kim', canApprove: true },
      SYSTEM,
      now,
    );
    const d = await createDeliverable(tx, { clientId, title, ownerId: null, dueAt: null }, SYSTEM, now);
    await addVersion(
      tx,
      {
        deliverableId: d.id,
        note: 'First round',
        linkUrl: null,
        files: [],
        status: 'draft',
        sentAt: null,
        createdBy: null,
      },
      SYSTEM,
      now,
    );
    return sendForReview(tx, { deliverableId: d.id, versionNumber: null, to: null }, identity, SYSTEM, now);
  });
}
