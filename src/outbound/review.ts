import type { TransactionSql } from '../db/index.js';
import { type Actor, recordAudit } from '../domain/audit.repo.js';
import { findVersion, setVersionStatus, supersedeEarlier } from '../domain/deliverables.repo.js';
import type { InboundHooks } from '../domain/inbound.js';
import { AppError } from '../errors.js';
import { domainOf } from '../parse/parse-email.js';
import { makeMessageId, makeReplyToken, replyAddress, type TokenKeys } from '../thread/tokens.js';
import { composeApprovalConfirmation, composeReviewRequest } from './compose.js';
import { enqueueMessage } from './outbox.repo.js';

/**
 * Review mail and approval confirmations: one message per person, each with a Message-ID and a reply
 * address signed for (version, recipient), so a reply is tied to the exact version it answers and to
 * whom it was sent, and nobody can forge that tie.
 */

export interface OutboundIdentity {
  /** The From of our mail: MAIL_FROM, else INBOX_ADDRESS. */
  from: string;
  /** INBOX_ADDRESS: reply tokens ride on its plus-addresses. */
  inboxAddress: string;
  keys: TokenKeys;
}

/** Our Message-IDs use the domain of our From address (`Name <address>` or a bare address). */
function messageIdDomain(identity: OutboundIdentity): string {
  const address = (/<([^<>]+)>\s*$/.exec(identity.from)?.[1] ?? identity.from).trim();
  return (domainOf(address) ?? '').toLowerCase();
}

const CONFIRM_WITHIN_MS = 24 * 3600 * 1000;

interface Recipient {
  id: number;
  email: string;
  name: string;
}

export interface ReviewSend {
  deliverable: string;
  version: number;
  messages: {
    outboxId: number;
    to: string;
    messageId: string;
    replyTo: string;
    subject: string;
    /** False when the same version had already been sent to this person. */
    newlyQueued: boolean;
  }[];
}

/**
 * Sends version N (the latest by default) for review: every earlier version is superseded, the version is
 * in review, and one review request per recipient is queued in the outbox (the client's approvers by
 * default). Sending the same version to the same person again queues nothing new.
 */
export async function sendForReview(
  tx: TransactionSql,
  input: { deliverableId: number; versionNumber: number | null; to: string[] | null },
  identity: OutboundIdentity,
  actor: Actor,
  now: Date,
): Promise<ReviewSend> {
  const version = await findVersion(tx, input.deliverableId, input.versionNumber);
  if (version.status === 'superseded' || version.status === 'approved')
    throw new AppError(
      'BAD_INPUT',
      `Version ${version.number} of ${version.deliverableCode} is ${version.status}`,
    );
  const recipients = await reviewRecipients(tx, version.clientId, input.to);
  await supersedeEarlier(
    tx,
    { id: version.id, deliverableId: version.deliverableId, number: version.number },
    actor,
    now,
  );
  await setVersionStatus(tx, version.id, 'in_review', actor, now, { sentAt: now });
  const [client] = await tx<{ name: string }[]>`select name from clients where id = ${version.clientId}`;

  const messages: ReviewSend['messages'] = [];
  for (const recipient of recipients) {
    const binding = { versionId: version.id, recipientContactId: recipient.id };
    const replyTo = replyAddress(identity.inboxAddress, makeReplyToken(identity.keys, binding));
    const [previous] = await tx<{ messageIdHeader: string }[]>`
      select o.message_id_header from outbox o join versions v on v.id = o.version_id
      where o.kind = 'review_request' and o.contact_id = ${recipient.id}
        and v.deliverable_id = ${version.deliverableId} and v.number < ${version.number}
      order by v.number desc, o.id desc limit 1`;
    const message = composeReviewRequest({
      from: identity.from,
      to: { name: recipient.name, address: recipient.email },
      replyTo,
      messageId: makeMessageId(identity.keys, { ...binding, domain: messageIdDomain(identity) }),
      date: now,
      client: { name: client?.name ?? '' },
      deliverable: { code: version.deliverableCode, title: version.deliverableTitle },
      version: { number: version.number, note: version.note, linkUrl: version.linkUrl, files: version.files },
      previous: previous ? { messageId: previous.messageIdHeader } : null,
    });
    const queued = await enqueueMessage(
      tx,
      {
        message,
        idempotencyKey: `review:${version.id}:${recipient.id}`,
        threadId: null,
        versionId: version.id,
        contactId: recipient.id,
      },
      now,
    );
    if (queued.id === null) continue;
    // A repeated send keeps the first message: report what was queued then.
    const [row] = await tx<{ messageIdHeader: string; subject: string }[]>`
      select message_id_header, subject from outbox where id = ${queued.id}`;
    messages.push({
      outboxId: queued.id,
      to: recipient.email,
      messageId: `<${row?.messageIdHeader ?? message.messageId}>`,
      replyTo,
      subject: row?.subject ?? message.subject,
      newlyQueued: queued.created,
    });
  }
  await recordAudit(tx, {
    actor,
    action: 'version.sent_for_review',
    subjectType: 'version',
    subjectId: version.id,
    after: { number: version.number, to: recipients.map((r) => r.email) },
    at: now,
  });
  return { deliverable: version.deliverableCode, version: version.number, messages };
}

async function reviewRecipients(
  tx: TransactionSql,
  clientId: number,
  to: string[] | null,
): Promise<Recipient[]> {
  const contacts = await tx<(Recipient & { canApprove: boolean })[]>`
    select id, email, name, can_approve from contacts where client_id = ${clientId} order by id`;
  if (to === null || to.length === 0) {
    const approvers = contacts.filter((c) => c.canApprove);
    if (approvers.length === 0)
      throw new AppError(
        'BAD_INPUT',
        'The client has no approvers: add one with contact add --approver, or name recipients',
      );
    return approvers;
  }
  return [...new Set(to.map((e) => e.trim().toLowerCase()))].map((email) => {
    const contact = contacts.find((c) => c.email === email);
    if (!contact) throw new AppError('BAD_INPUT', `${email} is not a contact of this client`);
    return contact;
  });
}

/** The outbox key of a decision's confirmation: one confirmation per decision, ever. */
export function confirmationKey(decisionId: number): string {
  return `approval-confirmation:${decisionId}`;
}

/** The approver of a final approval gets a short, automated confirmation in the same thread. */
export function confirmationHook(identity: OutboundIdentity): NonNullable<InboundHooks['onFinalApproval']> {
  return async (tx, { decisionId, version, contact, message }, now) => {
    // History found by a backfill is recorded, never answered: a day-old approval gets no mail now.
    if (now.getTime() - message.receivedAt.getTime() > CONFIRM_WITHIN_MS) return;
    const message_ = composeApprovalConfirmation({
      from: identity.from,
      to: { name: contact.name, address: contact.email },
      messageId: makeMessageId(identity.keys, {
        versionId: version.id,
        recipientContactId: contact.id,
        domain: messageIdDomain(identity),
      }),
      date: now,
      inReplyTo: message.messageIdHeader ?? '',
      references: message.messageIdHeader ? [message.messageIdHeader] : [],
      deliverable: { code: version.deliverableCode, title: version.deliverableTitle },
      version: { number: version.number, contentHash: version.contentHash ?? '' },
      approvedAt: message.receivedAt,
      decidingPhrase: message.decidingPhrase,
    });
    await enqueueMessage(
      tx,
      {
        message: message_,
        idempotencyKey: confirmationKey(decisionId),
        threadId: message.threadId,
        versionId: version.id,
        contactId: contact.id,
      },
      now,
    );
  };
}
