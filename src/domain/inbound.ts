import type { TransactionSql } from '../db/index.js';
import { type ApprovalDecision, decideApproval, versionStatusAfterReply } from './approval-rules.js';
import { type Actor, recordAudit, recordAudits } from './audit.repo.js';
import { type DecisionEvidence, type DecisionRow, recordDecision, settleDecision } from './decisions.repo.js';
import { loadVersions, setVersionStatus, type VersionFacts } from './deliverables.repo.js';
import { parseDueDate } from './due-date.js';
import { recordFeedback } from './feedback.repo.js';
import { createRequest } from './requests.repo.js';
import type { SenderAuth } from './sender-auth.js';

/**
 * What client mail does to the agency's work, once it has a thread: a new request, feedback on the exact
 * version a reply answers, or an approval decision under the approval rules. Runs in the transaction that
 * stores the messages, so a message and its consequences commit together and a replay changes nothing.
 */

/** A message just stored, with what processing learned about it. */
export interface PlacedMessage {
  id: number;
  threadId: number;
  /** This message started its thread. */
  newThread: boolean;
  clientId: number | null;
  subject: string;
  messageIdHeader: string | null;
  fromAddress: string | null;
  fromAmbiguous: boolean;
  intent: string | null;
  decidingPhrase: string | null;
  visibleText: string;
  versionId: number | null;
  versionResolvedBy: 'token' | 'message_id' | 'subject_tag' | null;
  tokenRecipientContactId: number | null;
  sentAt: Date | null;
  receivedAt: Date;
  rawSha256: string;
  /** Checked only for approval-like mail; null otherwise. */
  senderAuth: SenderAuth | null;
}

export interface FinalApproval {
  decisionId: number;
  version: VersionFacts;
  contact: { id: number; email: string; name: string };
  message: Pick<PlacedMessage, 'threadId' | 'messageIdHeader' | 'receivedAt' | 'decidingPhrase'>;
}

export interface InboundHooks {
  /** A final approval was recorded (the approver gets a confirmation). Same transaction. */
  onFinalApproval?: (tx: TransactionSql, approval: FinalApproval, now: Date) => Promise<void>;
}

interface ContactRow {
  id: number;
  email: string;
  name: string;
  clientId: number;
  canApprove: boolean;
}

interface ClientRow {
  id: number;
  timeZone: string;
  accountLeadId: number | null;
  endOfDay: string | null;
}

const FEEDBACK_INTENTS = new Set(['feedback', 'rejection', 'question', 'conditional_approval']);
const APPROVAL_INTENTS = new Set(['approval', 'conditional_approval']);
const SYSTEM_ACTOR: Actor = { type: 'system', id: 'processing' };

/** Messages must be inbound, human-written (not automated) client mail. */
export async function applyInbound(
  tx: TransactionSql,
  messages: PlacedMessage[],
  hooks: InboundHooks,
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  const froms = [...new Set(messages.map((m) => m.fromAddress).filter((a): a is string => a !== null))];
  const contacts = await tx<ContactRow[]>`
    select id, email, name, client_id, can_approve from contacts where email = any(${froms}::text[])`;
  const contactOf = (m: PlacedMessage, clientId: number | null) =>
    m.fromAddress === null || m.fromAmbiguous
      ? undefined
      : contacts.find((c) => c.email === m.fromAddress && (clientId === null || c.clientId === clientId));

  // Mail from someone who is no client's contact waits in triage, never silently dropped.
  await markForTriage(
    tx,
    messages.filter((m) => contactOf(m, null) === undefined).map((m) => m.threadId),
    'unknown_sender',
    now,
  );

  const versionIds = messages.map((m) => m.versionId).filter((id): id is number => id !== null);
  const threadVersions = await threadVersionsOf(
    tx,
    messages
      .filter((m) => m.versionId === null && APPROVAL_INTENTS.has(m.intent ?? ''))
      .map((m) => m.threadId),
  );
  const versions = await loadVersions(tx, [...versionIds, ...threadVersions.values()]);
  const clients = await loadClients(tx, messages, contacts);

  for (const m of messages) {
    const version = m.versionId !== null ? versions.get(m.versionId) : undefined;
    if (APPROVAL_INTENTS.has(m.intent ?? '')) {
      // Unresolved: the thread's version is kept for the lead to see, but never counts for the rules.
      const shown = version ?? versions.get(threadVersions.get(m.threadId) ?? -1);
      await decide(tx, m, version, shown, contactOf, hooks, now);
    }
    if (version && FEEDBACK_INTENTS.has(m.intent ?? '') && m.fromAddress) {
      await recordReply(tx, m, version, contactOf(m, version.clientId)?.id ?? null, now);
    }
    if (m.newThread && m.intent === 'request' && version === undefined) {
      const contact = contactOf(m, m.clientId);
      const client = contact ? clients.get(contact.clientId) : undefined;
      if (contact && client) await intake(tx, m, contact, client, now);
    }
  }
}

async function decide(
  tx: TransactionSql,
  m: PlacedMessage,
  version: VersionFacts | undefined,
  shown: VersionFacts | undefined,
  contactOf: (m: PlacedMessage, clientId: number | null) => ContactRow | undefined,
  hooks: InboundHooks,
  now: Date,
) {
  const clientId = version?.clientId ?? shown?.clientId ?? m.clientId;
  // Only mail about a client's work is a decision; an unknown sender's "approved" is plain triage.
  if (clientId === null) return;
  const contact = contactOf(m, clientId);
  const decision: ApprovalDecision = decideApproval({
    intent: m.intent === 'approval' ? 'approval' : 'conditional_approval',
    fromAmbiguous: m.fromAmbiguous || m.fromAddress === null,
    resolvedBy: version ? m.versionResolvedBy : null,
    versionStatus: version?.status ?? null,
    fromIsApprover: contact?.canApprove === true,
    authenticated: m.senderAuth?.verdict === 'pass',
  });
  const evidence: DecisionEvidence = {
    messageId: m.messageIdHeader,
    rawSha256: m.rawSha256,
    from: m.fromAddress,
    auth: {
      verdict: m.senderAuth?.verdict ?? 'none',
      method: m.senderAuth?.method ?? 'none',
      detail: m.senderAuth?.detail ?? 'not checked',
    },
    decidingPhrase: m.decidingPhrase,
    versionNumber: shown?.number ?? null,
    contentHash: shown?.contentHash ?? null,
    receivedAt: m.receivedAt.toISOString(),
    resolvedBy: m.versionResolvedBy,
    reasons: decision.reasons,
    tokenRecipientContactId: m.tokenRecipientContactId,
  };
  const id = await recordDecision(
    tx,
    {
      deliverableId: shown?.deliverableId ?? null,
      versionId: shown?.id ?? null,
      messageId: m.id,
      contactId: contact?.id ?? null,
      intent: m.intent === 'approval' ? 'approval' : 'conditional_approval',
      status: decision.status,
      reason: decision.reason,
      evidence,
    },
    { type: 'client', id: m.fromAddress ?? 'unknown' },
    now,
  );
  if (id === null) return;
  if (decision.status === 'final' && version && contact) {
    await setVersionStatus(
      tx,
      version.id,
      versionStatusAfterReply(version.status, { intent: m.intent, finalApproval: true }),
      SYSTEM_ACTOR,
      now,
    );
    await hooks.onFinalApproval?.(tx, { decisionId: id, version, contact, message: m }, now);
  } else {
    await markForTriage(tx, [m.threadId], 'needs_confirmation', now);
  }
}

async function recordReply(
  tx: TransactionSql,
  m: PlacedMessage,
  version: VersionFacts,
  contactId: number | null,
  now: Date,
) {
  const id = await recordFeedback(
    tx,
    {
      versionId: version.id,
      messageId: m.id,
      contactId,
      fromAddress: m.fromAddress ?? '',
      body: m.visibleText,
      receivedAt: m.receivedAt,
    },
    { type: 'client', id: m.fromAddress ?? 'unknown' },
    now,
  );
  if (id === null) return;
  const next = versionStatusAfterReply(version.status, { intent: m.intent, finalApproval: false });
  if (next !== version.status) await setVersionStatus(tx, version.id, next, SYSTEM_ACTOR, now);
}

async function intake(
  tx: TransactionSql,
  m: PlacedMessage,
  contact: ContactRow,
  client: ClientRow,
  now: Date,
) {
  const due = await parseDueDate(`${m.subject}\n${m.visibleText}`, {
    sentAt: m.sentAt ?? m.receivedAt,
    timeZone: client.timeZone,
    endOfDay: client.endOfDay ?? '17:00',
  });
  const title = m.subject.trim() || m.visibleText.trim().split('\n')[0]?.slice(0, 120) || '(no subject)';
  await createRequest(
    tx,
    {
      clientId: client.id,
      threadId: m.threadId,
      originMessageId: m.id,
      requesterEmail: contact.email,
      requesterContactId: contact.id,
      title,
      description: m.visibleText,
      dueAt: due?.dueAt ?? null,
      ownerId: client.accountLeadId,
      receivedAt: m.receivedAt,
    },
    { type: 'client', id: contact.email },
    now,
  );
}

/**
 * Puts threads in the triage queue with the reason a lead must look (audited when it changes); a thread
 * already waiting for a decision keeps that reason over an unknown sender.
 */
async function markForTriage(
  tx: TransactionSql,
  threadIds: number[],
  reason: 'unknown_sender' | 'needs_confirmation',
  now: Date,
): Promise<void> {
  if (threadIds.length === 0) return;
  const changed = await tx<{ id: number; before: string | null }[]>`
    update threads t set needs_triage = true, triage_reason = ${reason}, updated_at = ${now}
    from (select id, triage_reason as before from threads where id = any(${threadIds}::bigint[]) for update) old
    where t.id = old.id and old.before is distinct from ${reason}
      and (${reason} = 'needs_confirmation' or old.before is null)
    returning t.id, old.before`;
  await recordAudits(
    tx,
    changed.map((row) => ({
      actor: SYSTEM_ACTOR,
      action: 'thread.triage',
      subjectType: 'thread',
      subjectId: row.id,
      before: { triageReason: row.before },
      after: { needsTriage: true, triageReason: reason },
      at: now,
    })),
  );
}

async function threadVersionsOf(tx: TransactionSql, threadIds: number[]): Promise<Map<number, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await tx<{ id: number; versionId: number }[]>`
    select id, version_id from threads where id = any(${threadIds}::bigint[]) and version_id is not null`;
  return new Map(rows.map((r) => [r.id, r.versionId]));
}

async function loadClients(
  tx: TransactionSql,
  messages: PlacedMessage[],
  contacts: ContactRow[],
): Promise<Map<number, ClientRow>> {
  if (!messages.some((m) => m.newThread && m.intent === 'request')) return new Map();
  const ids = [...new Set(contacts.map((c) => c.clientId))];
  const rows = await tx<ClientRow[]>`
    select id, time_zone, account_lead_id, sla_policy->'businessHours'->>'end' as end_of_day
    from clients where id = any(${ids}::bigint[])`;
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * A lead confirms or dismisses a decision that needed confirmation. Confirmed, it counts as an approval:
 * the version is approved (unless a later one was sent since) and the approver gets the confirmation.
 */
export async function settleByLead(
  tx: TransactionSql,
  id: number,
  outcome: 'confirmed' | 'dismissed',
  hooks: InboundHooks,
  actor: Actor,
  now: Date,
): Promise<DecisionRow> {
  const decision = await settleDecision(tx, id, outcome, actor, now);
  const [message] = await tx<FinalApproval['message'][]>`
    select thread_id, message_id_header, received_at, deciding_phrase from messages where id = ${decision.messageId}`;
  const version =
    decision.versionId !== null
      ? (await loadVersions(tx, [decision.versionId])).get(decision.versionId)
      : undefined;
  if (outcome === 'confirmed' && version && message) {
    const next = versionStatusAfterReply(version.status, { intent: 'approval', finalApproval: true });
    if (next !== version.status) await setVersionStatus(tx, version.id, next, actor, now);
    const [contact] = await tx<FinalApproval['contact'][]>`
      select id, email, name from contacts where id = ${decision.contactId}`;
    if (contact) await hooks.onFinalApproval?.(tx, { decisionId: id, version, contact, message }, now);
  }
  if (message) {
    // The thread leaves triage once nothing in it waits for confirmation.
    const cleared = await tx<{ id: number }[]>`
      update threads set triage_reason = null, updated_at = ${now}
      where id = ${message.threadId} and triage_reason = 'needs_confirmation'
        and not exists (select 1 from approvals a join messages m on m.id = a.message_id
                        where m.thread_id = ${message.threadId} and a.status = 'needs_confirmation')
      returning id`;
    for (const row of cleared) {
      await recordAudit(tx, {
        actor,
        action: 'thread.triage',
        subjectType: 'thread',
        subjectId: row.id,
        before: { triageReason: 'needs_confirmation' },
        after: { triageReason: null },
        at: now,
      });
    }
  }
  return decision;
}
