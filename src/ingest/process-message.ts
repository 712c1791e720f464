import type { TransactionSql } from '../db/index.js';
import { loadAgency } from '../domain/agency.repo.js';
import { applyInbound, type InboundHooks, type PlacedMessage } from '../domain/inbound.js';
import type { SenderAuth, VerifySenderOptions } from '../domain/sender-auth.js';
import { domainOf, type ParsedEmail, type ParseLimits } from '../parse/parse-email.js';
import { resolveThread, type ThreadCandidate } from '../thread/resolve.js';
import { findReplyToken, type ReplyBinding, type TokenKeys, verifyMessageId } from '../thread/tokens.js';
import type { Analyzer } from './analysis-pool.js';
import type { MessageAnalysis } from './analyze.js';
import * as repo from './message.repo.js';
import type { RawHandoff } from './raw-handoff.js';

/**
 * Places read messages: client, direction, version, thread, then the rows. Runs inside the
 * transaction that claimed the raw rows, after the (CPU-bound) read and under the threading lock.
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
  /** Where messages are parsed and classified; inline when not given. */
  analyzer?: Analyzer;
  /** Keys for our signed reply tokens and Message-IDs; without them those threading rules are off. */
  signing?: SigningKeys;
  /** How the sender of approval-like mail is authenticated; without it no approval can be final. */
  senderAuth?: VerifySenderOptions;
  /** What the agency workflow does beyond the database when client mail arrives (confirmations). */
  inbound?: InboundHooks;
}

export interface SigningKeys {
  keys: TokenKeys;
  /** INBOX_ADDRESS: reply tokens ride on its plus-addresses. */
  inboxAddress: string | null;
}

/** Lookups that do not change within one batch: fetched once, not once per message. */
export class PlacementCache {
  private agencyDomains: string[] | undefined;
  private clientsByAddress = new Map<string, number | null>();

  async agency(tx: TransactionSql): Promise<string[]> {
    this.agencyDomains ??= (await loadAgency(tx))?.domains ?? [];
    return this.agencyDomains;
  }

  /** Looks up every address not seen yet in one query. */
  async load(tx: TransactionSql, addresses: string[]): Promise<void> {
    const missing = [...new Set(addresses)].filter((a) => !this.clientsByAddress.has(a));
    for (const [address, clientId] of await repo.findClientsOfAddresses(tx, missing))
      this.clientsByAddress.set(address, clientId);
  }

  clientOf(address: string): number | null {
    return this.clientsByAddress.get(address) ?? null;
  }
}

function isAgency(address: string | null | undefined, agencyDomains: string[]): boolean {
  const domain = domainOf(address);
  return domain !== null && agencyDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** Whose client a message is about: the sender's for inbound mail, the first client recipient's for ours. */
function clientAddresses(
  email: ParsedEmail,
  direction: 'inbound' | 'outbound',
  agencyDomains: string[],
): string[] {
  const addresses =
    direction === 'inbound'
      ? [email.from?.address]
      : [...email.to, ...email.cc].map((a) => a.address).filter((a) => !isAgency(a, agencyDomains));
  return addresses.filter((a): a is string => typeof a === 'string' && domainOf(a) !== null);
}

/** Everything about a message that needs no database, computed before the threading lock is taken. */
export interface PreparedMessage extends MessageAnalysis {
  raw: RawRow;
  dedupeKey: string;
  receivedAt: Date;
  /** The version and recipient bound by a verified reply token in a recipient address. */
  token: ReplyBinding | null;
  /** The binding of our signed Message-ID: the message's own, else the nearest in its references. */
  signedReference: ReplyBinding | null;
  /** Our own signed mail, seen again (a copy in a folder, or echoed back): it is ours, not the client's. */
  ownMessage: boolean;
  /** Whether the sender is authenticated: checked for approval-like mail only (it may need DNS). */
  senderAuth: SenderAuth | null;
}

/** Approval-like mail from someone else: the only mail whose sender must be authenticated. */
export function needsSenderCheck(m: PreparedMessage): boolean {
  return (
    !m.ownMessage &&
    m.email.from !== null &&
    (m.intent.intent === 'approval' || m.intent.intent === 'conditional_approval')
  );
}

export function prepareMessage(
  raw: RawRow,
  analysis: MessageAnalysis,
  signing?: SigningKeys,
): PreparedMessage {
  const { email } = analysis;
  const recipients = [...email.to, ...email.cc]
    .map((a) => a.address)
    .concat(email.deliveredTo, email.originalTo);
  // Our own signed mail seen again (a copy in a folder, or echoed back) binds to the version it was sent for.
  const own = signing && email.messageId ? verifyMessageId(signing.keys, email.messageId) : null;
  return {
    ...analysis,
    raw,
    // The same message seen twice (two folders, a re-import) is one message; a reused Message-ID with
    // other bytes is a different message.
    dedupeKey: `${email.messageId ?? ''}|${raw.sha256}`,
    receivedAt: raw.internalDate ?? email.date ?? raw.storedAt,
    token: signing?.inboxAddress ? findReplyToken(signing.keys, recipients, signing.inboxAddress) : null,
    signedReference:
      own ??
      (signing
        ? (analysis.references.map((id) => verifyMessageId(signing.keys, id)).find((b) => b !== null) ?? null)
        : null),
    ownMessage: own !== null,
    senderAuth: null,
  };
}

interface ThreadState {
  clientId: number | null;
  lastMessageAt: Date | null;
}

/** A message placed earlier in the same batch: later ones must find it as if it were stored. */
interface BatchEntry {
  message: PreparedMessage;
  threadId: number;
}

function later(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Places a batch of read messages: client, direction, thread, then the rows. The threading decisions
 * are made in order, here, from one candidates query for the whole batch plus what earlier messages of
 * the batch did; the writes are two or three statements for the batch. One statement per message kept
 * the threading lock held for about 4 ms a message and capped the whole pipeline.
 */
export async function placeBatch(
  tx: TransactionSql,
  messages: PreparedMessage[],
  options: ProcessOptions,
  cache: PlacementCache,
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  // The agency's own domains: those of its settings, and the inbox address's, so a colleague's mail is ours.
  const inboxDomain = domainOf(options.signing?.inboxAddress);
  const agencyDomains = [...(await cache.agency(tx)), ...(inboxDomain ? [inboxDomain.toLowerCase()] : [])];
  const directed = messages.map(({ raw, email, ownMessage }) => {
    const direction: 'inbound' | 'outbound' =
      ownMessage ||
      raw.source === 'outbound' ||
      raw.folderDirection === 'outbound' ||
      isAgency(email.from?.address, agencyDomains)
        ? 'outbound'
        : 'inbound';
    return { direction, addresses: clientAddresses(email, direction, agencyDomains) };
  });
  await cache.load(
    tx,
    directed.flatMap((d) => d.addresses),
  );
  const placed = directed.map(({ direction, addresses }) => ({
    direction,
    clientId: addresses.map((a) => cache.clientOf(a)).find((id) => id !== null) ?? null,
  }));
  const rows = await repo.findCandidates(
    tx,
    messages.map((m, i) => ({
      dedupeKey: m.dedupeKey,
      references: m.references,
      messageId: m.email.messageId,
      tag: m.tag,
      clientId: placed[i]?.clientId ?? null,
      normalizedSubject: m.normalizedSubject,
      tokenVersionId: m.token?.versionId ?? null,
      signedVersionId: m.signedReference?.versionId ?? null,
    })),
  );
  const rowsOf = new Map<number, repo.CandidateRow[]>();
  for (const row of rows) rowsOf.set(row.index, [...(rowsOf.get(row.index) ?? []), row]);

  // What this batch has done so far. New threads get negative ids until they are created.
  const threads = new Map<number, ThreadState>();
  const newThreads: repo.NewThread[] = [];
  const entries: BatchEntry[] = [];
  const placedKeys = new Set<string>();
  const startedThreads = new Set<string>();
  const newMessages: repo.NewMessage[] = [];
  const raws: repo.RawPlacement[] = [];

  const candidate = (
    threadId: number,
    clientId: number | null,
    lastMessageAt: Date | null,
  ): ThreadCandidate => {
    const state = threads.get(threadId);
    return {
      threadId,
      clientId: clientId ?? state?.clientId ?? null,
      lastMessageAt: later(lastMessageAt, state?.lastMessageAt ?? null),
    };
  };
  const newestFirst = (a: ThreadCandidate, b: ThreadCandidate) =>
    (b.lastMessageAt?.getTime() ?? 0) - (a.lastMessageAt?.getTime() ?? 0);

  messages.forEach((m, index) => {
    const { raw, email, flags, dedupeKey, normalizedSubject, references, receivedAt } = m;
    const { direction, clientId } = placed[index] as (typeof placed)[number];
    const own = rowsOf.get(index) ?? [];
    const stored = own.find((r) => r.kind === 'existing')?.messageId ?? null;
    if (stored !== null || placedKeys.has(dedupeKey)) {
      raws.push({ rawId: raw.id, dedupeKey, existingMessageId: stored, flags });
      return;
    }

    // Candidates from the database, then from earlier messages of this batch, in findCandidates' order.
    const fromRows = (kind: repo.CandidateKind) =>
      own
        .filter((r) => r.kind === kind && r.threadId !== null)
        .map((r) => ({ rank: r.rank, c: candidate(r.threadId as number, r.clientId, r.lastMessageAt) }));
    const referenced = [
      ...fromRows('reference'),
      ...entries.flatMap((e) => {
        const rank = e.message.email.messageId ? references.indexOf(e.message.email.messageId) : -1;
        return rank >= 0 ? [{ rank, c: candidate(e.threadId, null, null) }] : [];
      }),
    ].sort((a, b) => a.rank - b.rank || newestFirst(a.c, b.c));
    const messageId = email.messageId;
    const replies = [
      ...fromRows('reply').map((r) => r.c),
      ...entries
        .filter((e) => messageId !== null && e.message.references.includes(messageId))
        .map((e) => candidate(e.threadId, null, null)),
    ].sort(newestFirst);
    // A version named by our token, our signed Message-ID or the subject tag, never another client's.
    const versionBy = (kind: 'token' | 'signed' | 'version') => {
      const row = own.find((r) => r.kind === kind && r.versionId !== null);
      return row && (clientId === null || row.clientId === clientId) ? row : null;
    };
    const ofVersion = (kind: 'token' | 'signed' | 'tag', version: repo.CandidateRow | null) =>
      [
        ...fromRows(kind).map((r) => r.c),
        ...newThreads
          .filter((t) => version !== null && t.versionId === version.versionId)
          .map((t) => candidate(t.id, null, null)),
      ].sort(newestFirst);
    const tokenVersion = versionBy('token');
    const signedVersion = versionBy('signed');
    const tagVersion = versionBy('version');
    const resolved = tokenVersion
      ? { version: tokenVersion, by: 'token' as const }
      : signedVersion
        ? { version: signedVersion, by: 'message_id' as const }
        : tagVersion
          ? { version: tagVersion, by: 'subject_tag' as const }
          : null;
    const sameSubject = [
      ...fromRows('subject').map((r) => r.c),
      ...newThreads
        .filter(
          (t) =>
            clientId !== null &&
            t.clientId === clientId &&
            t.normalizedSubject === normalizedSubject &&
            normalizedSubject !== '',
        )
        .map((t) => candidate(t.id, null, null)),
    ].sort(newestFirst);

    const decision = resolveThread({
      clientId,
      receivedAt,
      byToken: ofVersion('token', tokenVersion),
      bySignedReference: ofVersion('signed', signedVersion),
      byReference: [...referenced.map((r) => r.c), ...replies],
      bySubjectTag: ofVersion('tag', tagVersion),
      bySubject: sameSubject,
      subjectWindowDays: options.subjectWindowDays,
    });
    let threadId: number;
    let newThreadClient: number | null = null;
    if (decision.kind === 'existing') {
      threadId = decision.threadId;
    } else {
      threadId = -(newThreads.length + 1);
      newThreadClient = clientId ?? resolved?.version.clientId ?? null;
      newThreads.push({
        id: threadId,
        clientId: newThreadClient,
        subject: email.subject,
        normalizedSubject,
        deliverableId: resolved?.version.deliverableId ?? null,
        versionId: resolved?.version.versionId ?? null,
      });
    }
    const state = threads.get(threadId);
    threads.set(threadId, {
      clientId: state?.clientId ?? newThreadClient ?? clientId,
      lastMessageAt: later(state?.lastMessageAt ?? null, receivedAt),
    });
    entries.push({ message: m, threadId });
    if (decision.kind === 'new') startedThreads.add(dedupeKey);
    placedKeys.add(dedupeKey);
    raws.push({ rawId: raw.id, dedupeKey, existingMessageId: null, flags });

    // Our own mail is never "automated" in the sense of an auto-reply to us.
    const automated = direction === 'inbound' ? m.automated : null;
    newMessages.push({
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
      // Identity is the From mailbox alone: a Reply-To or Sender that differs is common and proves nothing
      // either way, so only doubt about From itself (several, none, a group, a hidden address) counts.
      fromAmbiguous: email.fromAmbiguity.some(
        (r) => r !== 'differs_from_reply_to' && r !== 'differs_from_sender',
      ),
      toAddresses: email.to,
      ccAddresses: email.cc,
      sentAt: email.date,
      receivedAt,
      textBody: email.text,
      htmlBody: email.html,
      visibleText: m.reply.visible,
      quotedText: m.reply.quoted,
      signature: m.reply.signature,
      forwardedText: m.reply.forwarded || null,
      versionId: resolved?.version.versionId ?? null,
      versionResolvedBy: resolved?.by ?? null,
      // Only what a client writes has an intent; our own mail has none.
      intent: direction === 'inbound' ? m.intent.intent : null,
      intentConfidence: direction === 'inbound' ? m.intent.confidence : null,
      decidingPhrase: direction === 'inbound' ? m.intent.decidingPhrase : null,
      automated: automated?.kind ?? null,
      attachments: email.attachments,
      flags,
      rawSha256: raw.sha256,
    });
  });

  const ids = await repo.reserveThreadIds(tx, newThreads.length);
  const realId = (id: number) => (id < 0 ? (ids[-id - 1] as number) : id);
  await repo.insertThreads(
    tx,
    newThreads.map((t) => ({ ...t, id: realId(t.id) })),
  );
  const stored = newMessages.map((m) => ({ ...m, threadId: realId(m.threadId) }));
  const messageIds = await repo.insertMessages(tx, stored, raws, now);

  // Client mail written by a person moves the agency's work: requests, feedback, approvals.
  const human = stored.filter((m) => m.direction === 'inbound' && m.automated === null);
  if (human.length === 0) return;
  const prepared = new Map(messages.map((m) => [m.dedupeKey, m]));
  await applyInbound(
    tx,
    human.map((m): PlacedMessage => {
      const p = prepared.get(m.dedupeKey) as PreparedMessage;
      return {
        id: messageIds.get(m.dedupeKey) as number,
        threadId: m.threadId,
        newThread: startedThreads.has(m.dedupeKey),
        clientId: m.clientId,
        subject: m.subject,
        messageIdHeader: m.messageIdHeader,
        fromAddress: m.fromAddress,
        fromAmbiguous: m.fromAmbiguous,
        intent: m.intent,
        decidingPhrase: m.decidingPhrase,
        visibleText: m.visibleText,
        versionId: m.versionId,
        versionResolvedBy: m.versionResolvedBy,
        tokenRecipientContactId:
          m.versionResolvedBy === 'token' ? (p.token?.recipientContactId ?? null) : null,
        sentAt: m.sentAt,
        receivedAt: m.receivedAt,
        rawSha256: m.rawSha256,
        senderAuth: p.senderAuth,
      };
    }),
    options.inbound ?? {},
    now,
  );
}
