import type { TransactionSql } from '../db/index.js';
import { type AutomatedVerdict, detectAutomated } from '../parse/automated.js';
import type { ParsedEmail, ParseLimits } from '../parse/parse-email.js';
import type { ReadMessage } from '../parse/read-message.js';
import { extractReply, type ReplyParts } from '../parse/reply-text.js';
import { resolveThread } from '../thread/resolve.js';
import { normalizeSubject, parseSubjectTag, type SubjectTag } from '../thread/subject.js';
import * as repo from './message.repo.js';
import type { RawHandoff } from './raw-handoff.js';

/**
 * Places one read message: client, direction, thread, then the message row. Runs inside the
 * transaction that claimed the raw row, after the (CPU-bound) read and under the threading lock.
 */

export interface RawRow {
  id: number;
  source: string;
  sha256: string;
  internalDate: Date | null;
  storedAt: Date;
  folderDirection: 'inbound' | 'outbound' | null;
}

export interface ProcessOptions {
  limits: ParseLimits;
  subjectWindowDays: number;
  /** Bytes this process just stored, to read without a round trip through the database. */
  handoff?: RawHandoff;
}

/** Lookups that do not change within one batch: fetched once, not once per message. */
export class PlacementCache {
  private agencyDomains: string[] | undefined;
  private clientsByDomain = new Map<string, number | null>();

  async agency(tx: TransactionSql): Promise<string[]> {
    this.agencyDomains ??= await repo.loadAgencyDomains(tx);
    return this.agencyDomains;
  }

  async clientOf(tx: TransactionSql, domain: string): Promise<number | null> {
    if (!this.clientsByDomain.has(domain))
      this.clientsByDomain.set(domain, await repo.findClientByDomain(tx, domain));
    return this.clientsByDomain.get(domain) ?? null;
  }
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
  cache: PlacementCache,
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
    const clientId = domain ? await cache.clientOf(tx, domain) : null;
    if (clientId !== null) return clientId;
  }
  return null;
}

/** Everything about a message that needs no database, computed before the threading lock is taken. */
export interface PreparedMessage {
  raw: RawRow;
  email: ParsedEmail;
  flags: string[];
  dedupeKey: string;
  normalizedSubject: string;
  tag: SubjectTag | null;
  /** In-Reply-To, then References from the nearest back. */
  references: string[];
  reply: ReplyParts;
  automated: AutomatedVerdict | null;
  receivedAt: Date;
}

/**
 * Pure. Done in the read phase: work done while holding the threading lock delays every other lane
 * (the ingest benchmark saw lanes waiting on that lock most of the time).
 */
export function prepareMessage(raw: RawRow, read: ReadMessage): PreparedMessage {
  const { email } = read;
  return {
    raw,
    email,
    flags: read.flags,
    // The same message seen twice (two folders, a re-import) is one message; a reused Message-ID with
    // other bytes is a different message.
    dedupeKey: `${email.messageId ?? ''}|${raw.sha256}`,
    normalizedSubject: normalizeSubject(email.subject),
    tag: parseSubjectTag(email.subject),
    references: [email.inReplyTo, ...[...email.references].reverse()].filter(
      (id, i, all): id is string => id !== null && all.indexOf(id) === i,
    ),
    reply: extractReply(email.text ?? ''),
    automated: detectAutomated(email),
    receivedAt: raw.internalDate ?? email.date ?? raw.storedAt,
  };
}

export async function placeMessage(
  tx: TransactionSql,
  m: PreparedMessage,
  options: ProcessOptions,
  cache: PlacementCache,
  now: Date,
): Promise<number> {
  const { raw, email, flags, dedupeKey, normalizedSubject, tag, references, reply, receivedAt } = m;
  const agencyDomains = await cache.agency(tx);
  const direction =
    raw.source === 'outbound' ||
    raw.folderDirection === 'outbound' ||
    isAgency(email.from?.address, agencyDomains)
      ? 'outbound'
      : 'inbound';
  const clientId = await resolveClient(tx, cache, email, direction, agencyDomains);

  const { existing, byReference, bySubjectTag, bySubject } = await repo.findCandidates(tx, {
    dedupeKey,
    references,
    messageId: email.messageId,
    tag,
    clientId,
    normalizedSubject,
  });
  if (existing !== null) {
    await repo.linkRawToMessage(tx, raw.id, existing, flags, now);
    return existing;
  }

  // Our own mail is never "automated" in the sense of an auto-reply to us.
  const automated = direction === 'inbound' ? m.automated : null;
  const decision = resolveThread({
    clientId,
    receivedAt,
    byReference,
    bySubjectTag,
    bySubject,
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
    });
  }

  const messageId = await repo.insertMessage(
    tx,
    raw.id,
    {
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
    },
    now,
  );
  return messageId;
}
