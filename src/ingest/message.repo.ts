import type { TransactionSql } from '../db/index.js';
import { LOCKS } from '../db/locks.js';
import { domainOf } from '../parse/parse-email.js';

/**
 * SQL for the processing stage: where messages belong and how they are written, a batch at a time.
 * Round trips under the threading lock, not parsing, limited throughput: ten statements a message ran
 * at half the speed of parsing alone, three a message at a third of it.
 */

/**
 * Rows for `json_to_recordset`, sent as text (a json-typed parameter would be encoded a second time).
 * PostgreSQL text cannot hold NUL, which damaged mail does contain: each becomes U+FFFD.
 */
function jsonRows(rows: object[]): string {
  // An escaped NUL is `\u0000` preceded by an even number of backslashes (an odd number would mean the
  // backslash itself was escaped and the rest is literal text).
  const json = JSON.stringify(rows);
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}

export async function lockThreading(tx: TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${LOCKS.threading})`;
}

/**
 * The client of each address: the one client that has it as a contact (an approver on a personal
 * address), else the client owning its domain, matching parent domains too (mail.acme.example ->
 * acme.example). An address that is a contact of several clients is decided by its domain. One query
 * for all of them: this runs under the threading lock.
 */
export async function findClientsOfAddresses(
  tx: TransactionSql,
  addresses: string[],
): Promise<Map<string, number | null>> {
  if (addresses.length === 0) return new Map();
  const rows = jsonRows(
    addresses.map((address) => {
      const parts = (domainOf(address) ?? '').split('.');
      return { address, domains: parts.slice(0, -1).map((_, i) => parts.slice(i).join('.')) };
    }),
  );
  const found = await tx<{ address: string; clientId: number | null }[]>`
    select a.address, coalesce(
      (select min(c.client_id) from contacts c where c.email = a.address having count(*) = 1),
      (select d.client_id from client_domains d where d.domain = any(a.domains)
       order by length(d.domain) desc limit 1)
    ) as client_id
    from json_to_recordset(${rows}::text::json) as a(address text, domains text[])`;
  return new Map(found.map((r) => [r.address, r.clientId]));
}

export interface CandidateQuery {
  dedupeKey: string;
  /** In-Reply-To, then References from the nearest back. */
  references: string[];
  messageId: string | null;
  tag: { code: string; version: number } | null;
  clientId: number | null;
  normalizedSubject: string;
  /** The version bound by a verified reply token, and by a verified signed Message-ID in the references. */
  tokenVersionId: number | null;
  signedVersionId: number | null;
}

export type CandidateKind =
  | 'existing'
  | 'reference'
  | 'reply'
  | 'tag'
  | 'version'
  | 'token'
  | 'signed'
  | 'subject';

/** One stored fact relevant to the query at `index`; which fields are set depends on `kind`. */
export interface CandidateRow {
  index: number;
  kind: CandidateKind;
  /** Position of the referenced Message-ID in the query's references (nearest first). */
  rank: number;
  messageId: number | null;
  threadId: number | null;
  clientId: number | null;
  lastMessageAt: Date | null;
  deliverableId: number | null;
  versionId: number | null;
}

/**
 * Every threading candidate for a whole batch in one statement: the message already stored under the
 * same dedupe key, threads of referenced messages, threads of stored replies to the message, threads
 * and the version named by a `[CODE vN]` tag, and the newest threads with the same subject and client.
 */
export async function findCandidates(tx: TransactionSql, queries: CandidateQuery[]): Promise<CandidateRow[]> {
  if (queries.length === 0) return [];
  const q = jsonRows(
    queries.map((c, index) => ({
      index,
      dedupe_key: c.dedupeKey,
      message_id: c.messageId,
      tag_code: c.tag?.code ?? null,
      tag_version: c.tag?.version ?? null,
      client_id: c.clientId,
      normalized_subject: c.normalizedSubject,
      token_version: c.tokenVersionId,
      signed_version: c.signedVersionId,
    })),
  );
  const r = jsonRows(queries.flatMap((c, index) => c.references.map((ref, rank) => ({ index, ref, rank }))));
  return tx<CandidateRow[]>`
    with q as (
      select * from json_to_recordset(${q}::text::json) as q(
        index int, dedupe_key text, message_id text, tag_code text, tag_version int, client_id bigint,
        normalized_subject text, token_version bigint, signed_version bigint)
    ), r as (
      select * from json_to_recordset(${r}::text::json) as r(index int, ref text, rank int)
    ), tagged as (
      select q.index, d.id as deliverable_id, v.id as version_id, d.client_id
      from q join deliverables d on d.code = q.tag_code join versions v on v.deliverable_id = d.id and v.number = q.tag_version
    )
    select q.index, 'existing' as kind, 0 as rank, m.id as message_id, null::bigint as thread_id,
           null::bigint as client_id, null::timestamptz as last_message_at, null::bigint as deliverable_id,
           null::bigint as version_id
    from q join messages m on m.dedupe_key = q.dedupe_key
    union all
    select r.index, 'reference', r.rank, null, t.id, t.client_id, t.last_message_at, null, null
    from r join messages m on m.message_id_header = r.ref join threads t on t.id = m.thread_id
    union all
    select q.index, 'reply', 0, null, t.id, t.client_id, t.last_message_at, null, null
    from q join messages m on m.in_reply_to = q.message_id join threads t on t.id = m.thread_id
    union all
    select q.index, 'reply', 0, null, t.id, t.client_id, t.last_message_at, null, null
    from q join messages m on m."references" @> array[q.message_id] join threads t on t.id = m.thread_id
    where q.message_id is not null
    union all
    select g.index, 'tag', 0, null, t.id, t.client_id, t.last_message_at, null, null
    from tagged g join threads t on t.version_id = g.version_id
    union all
    select g.index, 'version', 0, null, null, g.client_id, null, g.deliverable_id, g.version_id
    from tagged g
    union all
    select q.index, b.kind, 0, null, t.id, d.client_id, t.last_message_at, d.id, v.id
    from q cross join lateral (values ('token', q.token_version), ('signed', q.signed_version)) as b(kind, version_id)
      join versions v on v.id = b.version_id join deliverables d on d.id = v.deliverable_id
      left join threads t on t.version_id = v.id
    union all
    select q.index, 'subject', 0, null, s.id, s.client_id, s.last_message_at, null, null
    from q cross join lateral (
      select id, client_id, last_message_at from threads
      where client_id = q.client_id and normalized_subject = q.normalized_subject and q.normalized_subject <> ''
      order by last_message_at desc nulls last limit 5
    ) s`;
}

export interface NewThread {
  id: number;
  clientId: number | null;
  subject: string;
  normalizedSubject: string;
  deliverableId: number | null;
  versionId: number | null;
}

/** Ids for threads about to be created, so a batch can refer to them before they exist. */
export async function reserveThreadIds(tx: TransactionSql, count: number): Promise<number[]> {
  if (count === 0) return [];
  const rows = await tx<{ id: number }[]>`
    select nextval(pg_get_serial_sequence('threads', 'id')) as id from generate_series(1, ${count})`;
  return rows.map((r) => r.id);
}

/** A new thread is owned by its client's account lead until someone reassigns it. */
export async function insertThreads(tx: TransactionSql, threads: NewThread[]): Promise<void> {
  if (threads.length === 0) return;
  const rows = jsonRows(
    threads.map((t) => ({
      id: t.id,
      client_id: t.clientId,
      subject: t.subject,
      normalized_subject: t.normalizedSubject,
      deliverable_id: t.deliverableId,
      version_id: t.versionId,
    })),
  );
  await tx`
    insert into threads (id, client_id, subject, normalized_subject, deliverable_id, version_id, assignee_id)
    overriding system value
    select x.id, x.client_id, x.subject, x.normalized_subject, x.deliverable_id, x.version_id,
           (select account_lead_id from clients c where c.id = x.client_id)
    from json_to_recordset(${rows}::text::json) as x(id bigint, client_id bigint, subject text, normalized_subject text,
                                               deliverable_id bigint, version_id bigint)`;
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
  forwardedText: string | null;
  versionId: number | null;
  versionResolvedBy: 'token' | 'message_id' | 'subject_tag' | null;
  intent: string | null;
  intentConfidence: number | null;
  decidingPhrase: string | null;
  automated: string | null;
  attachments: unknown;
  flags: string[];
  rawSha256: string;
}

/** How a raw row ends: as a new message (by its dedupe key) or as one already stored. */
export interface RawPlacement {
  rawId: number;
  dedupeKey: string;
  existingMessageId: number | null;
  flags: string[];
}

/**
 * One statement for the batch: inserts the messages, links and completes their raw rows (with the read
 * flags), and moves each thread's aggregates. Who owes the next move follows the latest human message:
 * inbound means waiting on us, outbound means waiting on the client. Snoozed threads keep their status;
 * closed ones too, unless a person on the client side writes again. The thread's subject is its
 * earliest message's. Returns the new messages' ids by dedupe key.
 */
export async function insertMessages(
  tx: TransactionSql,
  messages: NewMessage[],
  raws: RawPlacement[],
  processedAt: Date,
): Promise<Map<string, number>> {
  const messageRows = jsonRows(
    messages.map((m) => ({
      dedupe_key: m.dedupeKey,
      thread_id: m.threadId,
      client_id: m.clientId,
      direction: m.direction,
      message_id_header: m.messageIdHeader,
      in_reply_to: m.inReplyTo,
      references: m.references,
      subject: m.subject,
      from_address: m.fromAddress,
      from_name: m.fromName,
      from_ambiguous: m.fromAmbiguous,
      to_addresses: m.toAddresses,
      cc_addresses: m.ccAddresses,
      sent_at: m.sentAt,
      received_at: m.receivedAt,
      text_body: m.textBody,
      html_body: m.htmlBody,
      visible_text: m.visibleText,
      quoted_text: m.quotedText,
      signature: m.signature,
      forwarded_text: m.forwardedText,
      version_id: m.versionId,
      version_resolved_by: m.versionResolvedBy,
      intent: m.intent,
      intent_confidence: m.intentConfidence,
      deciding_phrase: m.decidingPhrase,
      automated: m.automated,
      attachments: m.attachments,
      flags: m.flags,
      raw_sha256: m.rawSha256,
    })),
  );
  const rawRows = jsonRows(
    raws.map((r) => ({
      raw_id: r.rawId,
      dedupe_key: r.dedupeKey,
      existing_id: r.existingMessageId,
      flags: r.flags,
    })),
  );
  const ids = await tx<{ id: number; dedupeKey: string }[]>`
    with inserted as (
      insert into messages (
        dedupe_key, thread_id, client_id, direction, message_id_header, in_reply_to, "references", subject,
        from_address, from_name, from_ambiguous, to_addresses, cc_addresses, sent_at, received_at,
        text_body, html_body, visible_text, quoted_text, signature, forwarded_text, version_id,
        version_resolved_by, intent, intent_confidence, deciding_phrase,
        automated, attachments, flags, raw_sha256
      )
      select dedupe_key, thread_id, client_id, direction, message_id_header, in_reply_to, "references", subject,
        from_address, from_name, from_ambiguous, to_addresses, cc_addresses, sent_at, received_at,
        text_body, html_body, visible_text, quoted_text, signature, forwarded_text, version_id,
        version_resolved_by, intent, intent_confidence, deciding_phrase,
        automated, attachments, flags, raw_sha256
      from json_populate_recordset(null::messages, ${messageRows}::text::json)
      returning id, dedupe_key, thread_id, client_id, received_at, direction, automated, subject
    ), linked as (
      update raw_messages r set
        message_id = coalesce(x.existing_id, i.id),
        flags = array(select distinct unnest(r.flags || x.flags) order by 1),
        process_state = 'processed', attempts = r.attempts + 1, processed_at = ${processedAt},
        last_error_code = null, last_error = null
      from json_to_recordset(${rawRows}::text::json) as x(raw_id bigint, dedupe_key text, existing_id bigint, flags text[])
        left join inserted i on i.dedupe_key = x.dedupe_key
      where r.id = x.raw_id
    ), added as (
      select thread_id, count(*)::int as n, min(received_at) as first_at, max(received_at) as last_at,
             max(received_at) filter (where direction = 'inbound' and automated is null) as human_in,
             max(received_at) filter (where direction = 'outbound') as out_at,
             (array_agg(subject order by received_at))[1] as first_subject,
             (array_agg(client_id order by received_at) filter (where client_id is not null))[1] as client_id
      from inserted group by thread_id
    ), totals as (
      select a.*, greatest(t.last_inbound_at, a.human_in) as inbound_at,
             greatest(t.last_outbound_at, a.out_at) as outbound_at
      from added a join threads t on t.id = a.thread_id
    ), moved as (
    update threads t set
      message_count = t.message_count + a.n,
      first_message_at = least(t.first_message_at, a.first_at),
      last_message_at = greatest(t.last_message_at, a.last_at),
      last_inbound_at = a.inbound_at,
      last_outbound_at = a.outbound_at,
      subject = case when t.first_message_at is null or a.first_at < t.first_message_at
                     then a.first_subject else t.subject end,
      client_id = coalesce(t.client_id, a.client_id),
      status = case
        when t.status = 'snoozed' then t.status
        when t.status = 'closed' and a.human_in is null then t.status
        when a.outbound_at is not null and (a.inbound_at is null or a.outbound_at >= a.inbound_at)
          then 'waiting_on_client'
        when a.inbound_at is not null then 'waiting_on_us'
        else 'open'
      end,
      updated_at = now()
    from totals a
    where t.id = a.thread_id
    )
    -- Every data-modifying part runs to completion whether or not this reads it.
    select id, dedupe_key from inserted`;
  return new Map(ids.map((r) => [r.dedupeKey, r.id]));
}
