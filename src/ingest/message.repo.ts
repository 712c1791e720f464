import type { TransactionSql } from '../db/index.js';
import { LOCKS } from '../db/locks.js';
import type { ThreadCandidate } from '../thread/resolve.js';

/** SQL for the processing stage: where a message belongs and how it is written. */

export async function lockThreading(tx: TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${LOCKS.threading})`;
}

export async function findMessageByDedupeKey(tx: TransactionSql, dedupeKey: string): Promise<number | null> {
  const [row] = await tx<{ id: number }[]>`select id from messages where dedupe_key = ${dedupeKey}`;
  return row?.id ?? null;
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

export async function threadsByReference(
  tx: TransactionSql,
  messageIds: string[],
): Promise<ThreadCandidate[]> {
  if (messageIds.length === 0) return [];
  const rows = await tx<(ThreadCandidate & { messageIdHeader: string })[]>`
    select distinct m.message_id_header, t.id as thread_id, t.client_id, t.last_message_at
    from messages m join threads t on t.id = m.thread_id
    where m.message_id_header = any(${messageIds})`;
  // Nearest reference first: the order of messageIds.
  return messageIds.flatMap((id) => rows.filter((r) => r.messageIdHeader === id));
}

/** Threads of messages already stored that answer this one: its replies can arrive first in a backfill. */
export async function threadsOfReplies(
  tx: TransactionSql,
  messageId: string | null,
): Promise<ThreadCandidate[]> {
  if (messageId === null) return [];
  return tx<ThreadCandidate[]>`
    select distinct t.id as thread_id, t.client_id, t.last_message_at
    from messages m join threads t on t.id = m.thread_id
    where m.in_reply_to = ${messageId} or m."references" @> array[${messageId}]::text[]`;
}

export async function threadsBySubjectTag(
  tx: TransactionSql,
  code: string,
  version: number,
): Promise<ThreadCandidate[]> {
  return tx<ThreadCandidate[]>`
    select t.id as thread_id, t.client_id, t.last_message_at
    from threads t
    join versions v on v.id = t.version_id
    join deliverables d on d.id = v.deliverable_id
    where d.code = ${code} and v.number = ${version}
    order by t.last_message_at desc nulls last`;
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

export async function threadsBySubject(
  tx: TransactionSql,
  clientId: number | null,
  normalizedSubject: string,
): Promise<ThreadCandidate[]> {
  if (clientId === null || normalizedSubject === '') return [];
  return tx<ThreadCandidate[]>`
    select id as thread_id, client_id, last_message_at from threads
    where client_id = ${clientId} and normalized_subject = ${normalizedSubject}
    order by last_message_at desc nulls last limit 5`;
}

export interface NewThread {
  clientId: number | null;
  subject: string;
  normalizedSubject: string;
  deliverableId: number | null;
  versionId: number | null;
  assigneeId: number | null;
}

export async function insertThread(tx: TransactionSql, thread: NewThread): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    insert into threads (client_id, subject, normalized_subject, deliverable_id, version_id, assignee_id)
    values (${thread.clientId}, ${thread.subject}, ${thread.normalizedSubject}, ${thread.deliverableId},
            ${thread.versionId}, ${thread.assigneeId})
    returning id`;
  return (row as { id: number }).id;
}

export async function clientLead(tx: TransactionSql, clientId: number | null): Promise<number | null> {
  if (clientId === null) return null;
  const [row] = await tx<
    { accountLeadId: number | null }[]
  >`select account_lead_id from clients where id = ${clientId}`;
  return row?.accountLeadId ?? null;
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

export async function insertMessage(tx: TransactionSql, m: NewMessage): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
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
    returning id`;
  return (row as { id: number }).id;
}

/**
 * Recomputes a thread's aggregates after a message joined it. Who owes the next move follows the
 * latest human message: inbound means waiting on us, outbound means waiting on the client.
 * Snoozed threads keep their status; closed ones too, unless a person on the client side writes again.
 */
export async function refreshThread(
  tx: TransactionSql,
  threadId: number,
  clientId: number | null,
  reopen: boolean,
): Promise<void> {
  await tx`
    with stats as (
      select count(*)::int as message_count,
             min(received_at) as first_message_at,
             max(received_at) as last_message_at,
             max(received_at) filter (where direction = 'inbound' and automated is null) as last_inbound_at,
             max(received_at) filter (where direction = 'outbound') as last_outbound_at
      from messages where thread_id = ${threadId}
    ),
    first_message as (
      select subject as first_subject from messages where thread_id = ${threadId}
      order by received_at, id limit 1
    )
    update threads t set
      message_count = s.message_count,
      first_message_at = s.first_message_at,
      last_message_at = s.last_message_at,
      last_inbound_at = s.last_inbound_at,
      last_outbound_at = s.last_outbound_at,
      subject = f.first_subject,
      client_id = coalesce(t.client_id, ${clientId}),
      status = case
        when t.status = 'snoozed' then t.status
        when t.status = 'closed' and not ${reopen} then t.status
        when s.last_outbound_at is not null and (s.last_inbound_at is null or s.last_outbound_at >= s.last_inbound_at)
          then 'waiting_on_client'
        when s.last_inbound_at is not null then 'waiting_on_us'
        else 'open'
      end,
      updated_at = now()
    from stats s, first_message f
    where t.id = ${threadId}`;
}

export async function linkRawToMessage(
  tx: TransactionSql,
  rawId: number,
  messageId: number,
  flags: string[],
): Promise<void> {
  await tx`
    update raw_messages set message_id = ${messageId},
      flags = array(select distinct unnest(flags || ${flags}::text[]) order by 1)
    where id = ${rawId}`;
}
