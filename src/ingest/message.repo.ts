import type { TransactionSql } from '../db/index.js';
import { LOCKS } from '../db/locks.js';
import type { ThreadCandidate } from '../thread/resolve.js';

/**
 * SQL for the processing stage: where a message belongs and how it is written. Each message costs
 * two or three statements (candidates, maybe a new thread, the write): round trips, not parsing, were
 * what limited throughput (about ten statements a message ran at half the speed of parsing alone).
 */

export async function lockThreading(tx: TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${LOCKS.threading})`;
}

export async function loadAgencyDomains(tx: TransactionSql): Promise<string[]> {
  const [row] = await tx<
    { value: { domains?: string[] } }[]
  >`select value from settings where key = 'agency'`;
  return (row?.value.domains ?? []).map((d) => d.toLowerCase());
}

/** The client owning a mail domain, matching parent domains too (mail.acme.example -> acme.example). */
export async function findClientByDomain(tx: TransactionSql, domain: string): Promise<number | null> {
  const parts = domain.toLowerCase().split('.');
  const candidates = parts.slice(0, -1).map((_, i) => parts.slice(i).join('.'));
  if (candidates.length === 0) return null;
  const [row] = await tx<{ clientId: number }[]>`
    select client_id from client_domains where domain = any(${candidates})
    order by length(domain) desc limit 1`;
  return row?.clientId ?? null;
}

export interface CandidateQuery {
  dedupeKey: string;
  /** In-Reply-To, then References from the nearest back. */
  references: string[];
  messageId: string | null;
  tag: { code: string; version: number } | null;
  clientId: number | null;
  normalizedSubject: string;
}

export interface Candidates {
  /** The message already stored under this dedupe key, if any. */
  existing: number | null;
  /** Threads of referenced messages (nearest first), then of stored replies to this message. */
  byReference: ThreadCandidate[];
  bySubjectTag: ThreadCandidate[];
  bySubject: ThreadCandidate[];
}

/** Every threading candidate in one statement. */
export async function findCandidates(tx: TransactionSql, q: CandidateQuery): Promise<Candidates> {
  const rows = await tx<(ThreadCandidate & { kind: string; rank: number; messageId: number | null })[]>`
    select 'existing' as kind, 0 as rank, id as message_id, null::bigint as thread_id, null::bigint as client_id,
           null::timestamptz as last_message_at
    from messages where dedupe_key = ${q.dedupeKey}
    union all
    select 'reference', array_position(${q.references}::text[], m.message_id_header), null, t.id, t.client_id,
           t.last_message_at
    from messages m join threads t on t.id = m.thread_id
    where m.message_id_header = any(${q.references}::text[])
    union all
    select 'reply', 1000, null, t.id, t.client_id, t.last_message_at
    from messages m join threads t on t.id = m.thread_id
    where ${q.messageId}::text is not null
      and (m.in_reply_to = ${q.messageId} or m."references" @> array[${q.messageId}::text])
    union all
    select 'tag', 0, null, t.id, t.client_id, t.last_message_at
    from threads t join versions v on v.id = t.version_id join deliverables d on d.id = v.deliverable_id
    where d.code = ${q.tag?.code ?? null} and v.number = ${q.tag?.version ?? null}
    union all
    (select 'subject', 0, null, id, client_id, last_message_at from threads
     where client_id = ${q.clientId} and normalized_subject = ${q.normalizedSubject} and ${q.normalizedSubject} <> ''
     order by last_message_at desc nulls last limit 5)`;
  const of = (kind: string) =>
    rows
      .filter((r) => r.kind === kind)
      .sort(
        (a, b) => a.rank - b.rank || (b.lastMessageAt?.getTime() ?? 0) - (a.lastMessageAt?.getTime() ?? 0),
      )
      .map(({ threadId, clientId, lastMessageAt }) => ({ threadId, clientId, lastMessageAt }));
  return {
    existing: rows.find((r) => r.kind === 'existing')?.messageId ?? null,
    byReference: [...of('reference'), ...of('reply')],
    bySubjectTag: of('tag'),
    bySubject: of('subject'),
  };
}

export async function findVersionByTag(
  tx: TransactionSql,
  code: string,
  version: number,
): Promise<{ deliverableId: number; versionId: number; clientId: number } | null> {
  const [row] = await tx<{ deliverableId: number; versionId: number; clientId: number }[]>`
    select d.id as deliverable_id, v.id as version_id, d.client_id
    from deliverables d join versions v on v.deliverable_id = d.id
    where d.code = ${code} and v.number = ${version}`;
  return row ?? null;
}

export interface NewThread {
  clientId: number | null;
  subject: string;
  normalizedSubject: string;
  deliverableId: number | null;
  versionId: number | null;
}

/** A new thread is owned by its client's account lead until someone reassigns it. */
export async function insertThread(tx: TransactionSql, thread: NewThread): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    insert into threads (client_id, subject, normalized_subject, deliverable_id, version_id, assignee_id)
    values (${thread.clientId}, ${thread.subject}, ${thread.normalizedSubject}, ${thread.deliverableId},
            ${thread.versionId}, (select account_lead_id from clients where id = ${thread.clientId}))
    returning id`;
  return (row as { id: number }).id;
}

export interface NewMessage {
  dedupeKey: string;
  threadId: number;
  clientId: number | null;
  direction: 'inbound' | 'outbound';
  messageIdHeader: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  fromAddress: string | null;
  fromName: string | null;
  fromAmbiguous: boolean;
  toAddresses: unknown;
  ccAddresses: unknown;
  sentAt: Date | null;
  receivedAt: Date;
  textBody: string | null;
  htmlBody: string | null;
  visibleText: string;
  quotedText: string;
  signature: string;
  intent: string | null;
  automated: string | null;
  attachments: unknown;
  flags: string[];
  rawSha256: string;
}

/**
 * One statement: inserts the message, links its raw row (with the read flags), and moves the thread's
 * aggregates. Who owes the next move follows the latest human message: inbound means waiting on us,
 * outbound means waiting on the client. Snoozed threads keep their status; closed ones too, unless a
 * person on the client side writes again. The thread's subject is its earliest message's.
 */
export async function insertMessage(
  tx: TransactionSql,
  rawId: number,
  m: NewMessage,
  processedAt: Date,
): Promise<number> {
  const humanInbound = m.direction === 'inbound' && m.automated === null;
  const newInbound = tx`case when ${humanInbound} then greatest(t.last_inbound_at, i.received_at) else t.last_inbound_at end`;
  const newOutbound = tx`case when i.direction = 'outbound' then greatest(t.last_outbound_at, i.received_at) else t.last_outbound_at end`;
  const [row] = await tx<{ id: number }[]>`
    with inserted as (
      insert into messages (
        dedupe_key, thread_id, client_id, direction, message_id_header, in_reply_to, "references", subject,
        from_address, from_name, from_ambiguous, to_addresses, cc_addresses, sent_at, received_at,
        text_body, html_body, visible_text, quoted_text, signature, intent, automated, attachments, flags, raw_sha256
      ) values (
        ${m.dedupeKey}, ${m.threadId}, ${m.clientId}, ${m.direction}, ${m.messageIdHeader}, ${m.inReplyTo},
        ${m.references}, ${m.subject}, ${m.fromAddress}, ${m.fromName}, ${m.fromAmbiguous},
        ${tx.json(m.toAddresses as never)}, ${tx.json(m.ccAddresses as never)}, ${m.sentAt}, ${m.receivedAt},
        ${m.textBody}, ${m.htmlBody}, ${m.visibleText}, ${m.quotedText}, ${m.signature}, ${m.intent},
        ${m.automated}, ${tx.json(m.attachments as never)}, ${m.flags}, ${m.rawSha256}
      )
      returning id, thread_id, received_at, direction, subject
    ), linked as (
      update raw_messages set ${processedRaw(tx, tx`(select id from inserted)`, m.flags, processedAt)}
      where id = ${rawId}
    ), thread as (
      update threads t set
        message_count = t.message_count + 1,
        first_message_at = least(t.first_message_at, i.received_at),
        last_message_at = greatest(t.last_message_at, i.received_at),
        last_inbound_at = ${newInbound},
        last_outbound_at = ${newOutbound},
        subject = case when t.first_message_at is null or i.received_at < t.first_message_at
                       then i.subject else t.subject end,
        client_id = coalesce(t.client_id, ${m.clientId}),
        status = case
          when t.status = 'snoozed' then t.status
          when t.status = 'closed' and not ${humanInbound} then t.status
          when ${newOutbound} is not null and (${newInbound} is null or ${newOutbound} >= ${newInbound})
            then 'waiting_on_client'
          when ${newInbound} is not null then 'waiting_on_us'
          else 'open'
        end,
        updated_at = now()
      from inserted i
      where t.id = i.thread_id
    )
    select id from inserted`;
  return (row as { id: number }).id;
}

/**
 * The raw row's side of placing a message: it points at its message, carries the read flags, and is
 * processed, in the same statement (one row version instead of two).
 */
/** `messageId` is an id, or a SQL fragment that selects one. */
function processedRaw(tx: TransactionSql, messageId: unknown, flags: string[], at: Date) {
  return tx`
    message_id = ${messageId as number}, flags = array(select distinct unnest(flags || ${flags}::text[]) order by 1),
    process_state = 'processed', attempts = attempts + 1, processed_at = ${at}, last_error_code = null, last_error = null`;
}

/** A message seen again (another folder, a re-import): the raw row points at the stored message. */
export async function linkRawToMessage(
  tx: TransactionSql,
  rawId: number,
  messageId: number,
  flags: string[],
  processedAt: Date,
): Promise<void> {
  await tx`update raw_messages set ${processedRaw(tx, messageId, flags, processedAt)} where id = ${rawId}`;
}
