import type { TransactionSql } from '../db/index.js';
import { detectAutomated } from '../parse/automated.js';
import type { ParsedEmail, ParseLimits } from '../parse/parse-email.js';
import { readMessage } from '../parse/read-message.js';
import { extractReply } from '../parse/reply-text.js';
import { resolveThread } from '../thread/resolve.js';
import { normalizeSubject, parseSubjectTag } from '../thread/subject.js';
import * as repo from './message.repo.js';

/** One raw message through parse -> thread -> store. Runs inside the transaction that claimed the row. */

export interface RawRow {
  id: number;
  source: string;
  sha256: string;
  bytes: Buffer;
  internalDate: Date | null;
  storedAt: Date;
  folderDirection: 'inbound' | 'outbound' | null;
}

export interface ProcessOptions {
  limits: ParseLimits;
  subjectWindowDays: number;
}

function domainOf(address: string | null | undefined): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at > 0 ? address.slice(at + 1) : null;
}

function isAgency(address: string | null | undefined, agencyDomains: string[]): boolean {
  const domain = domainOf(address);
  return domain !== null && agencyDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

async function resolveClient(
  tx: TransactionSql,
  email: ParsedEmail,
  direction: 'inbound' | 'outbound',
  agencyDomains: string[],
): Promise<number | null> {
  const addresses =
    direction === 'inbound'
      ? [email.from?.address]
      : [...email.to, ...email.cc].map((a) => a.address).filter((a) => !isAgency(a, agencyDomains));
  for (const address of addresses) {
    const domain = domainOf(address);
    const clientId = domain ? await repo.findClientByDomain(tx, domain) : null;
    if (clientId !== null) return clientId;
  }
  return null;
}

export async function processRawMessage(
  tx: TransactionSql,
  raw: RawRow,
  options: ProcessOptions,
): Promise<number> {
  const { email, flags } = await readMessage(raw.bytes, options.limits);
  // Workers parse in parallel but place messages one at a time: a reply and the message it answers,
  // processed at once by two workers, would otherwise each miss the other's uncommitted row and start
  // two threads (seen with two processes importing the demo mail). Held until this transaction commits.
  await repo.lockThreading(tx);
  // The same message seen twice (two folders, a re-import) is one message; a reused Message-ID with
  // other bytes is a different message.
  const dedupeKey = `${email.messageId ?? ''}|${raw.sha256}`;
  const existing = await repo.findMessageByDedupeKey(tx, dedupeKey);
  if (existing !== null) {
    await repo.linkRawToMessage(tx, raw.id, existing, flags);
    return existing;
  }

  const agencyDomains = await repo.loadAgencyDomains(tx);
  const direction =
    raw.source === 'outbound' ||
    raw.folderDirection === 'outbound' ||
    isAgency(email.from?.address, agencyDomains)
      ? 'outbound'
      : 'inbound';
  const clientId = await resolveClient(tx, email, direction, agencyDomains);
  const receivedAt = raw.internalDate ?? email.date ?? raw.storedAt;
  const automated = direction === 'inbound' ? detectAutomated(email) : null;
  const reply = extractReply(email.text ?? '');
  const normalizedSubject = normalizeSubject(email.subject);
  const tag = parseSubjectTag(email.subject);

  const references = [email.inReplyTo, ...[...email.references].reverse()].filter(
    (id, i, all): id is string => id !== null && all.indexOf(id) === i,
  );
  const decision = resolveThread({
    clientId,
    receivedAt,
    byReference: [
      ...(await repo.threadsByReference(tx, references)),
      ...(await repo.threadsOfReplies(tx, email.messageId)),
    ],
    bySubjectTag: tag ? await repo.threadsBySubjectTag(tx, tag.code, tag.version) : [],
    bySubject: await repo.threadsBySubject(tx, clientId, normalizedSubject),
    subjectWindowDays: options.subjectWindowDays,
  });

  let threadId: number;
  if (decision.kind === 'existing') {
    threadId = decision.threadId;
  } else {
    const version = tag ? await repo.findVersionByTag(tx, tag.code, tag.version) : null;
    const sameClientVersion =
      version && (clientId === null || version.clientId === clientId) ? version : null;
    threadId = await repo.insertThread(tx, {
      clientId: clientId ?? sameClientVersion?.clientId ?? null,
      subject: email.subject,
      normalizedSubject,
      deliverableId: sameClientVersion?.deliverableId ?? null,
      versionId: sameClientVersion?.versionId ?? null,
      assigneeId: await repo.clientLead(tx, clientId),
    });
  }

  const messageId = await repo.insertMessage(tx, {
    dedupeKey,
    threadId,
    clientId,
    direction,
    messageIdHeader: email.messageId,
    inReplyTo: email.inReplyTo,
    references: email.references,
    subject: email.subject,
    fromAddress: email.from?.address ?? null,
    fromName: email.from?.name || null,
    fromAmbiguous: email.fromAmbiguity.length > 0,
    toAddresses: email.to,
    ccAddresses: email.cc,
    sentAt: email.date,
    receivedAt,
    textBody: email.text,
    htmlBody: email.html,
    visibleText: reply.visible,
    quotedText: reply.quoted,
    signature: reply.signature,
    intent: automated?.kind === 'bounce' ? 'bounce' : automated ? 'auto_reply' : null,
    automated: automated?.kind ?? null,
    attachments: email.attachments,
    flags,
    rawSha256: raw.sha256,
  });
  await repo.linkRawToMessage(tx, raw.id, messageId, flags);
  await repo.refreshThread(tx, threadId, clientId, direction === 'inbound' && automated === null);
  return messageId;
}
