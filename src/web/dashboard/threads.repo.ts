import type { Sql } from '../../db/index.js';

export type ThreadView = 'all' | 'waiting_on_us' | 'waiting_on_client' | 'closed';

export interface ThreadListItem {
  id: number;
  subject: string;
  status: string;
  clientCode: string | null;
  clientName: string | null;
  deliverableCode: string | null;
  versionNumber: number | null;
  assigneeName: string | null;
  messageCount: number;
  lastMessageAt: Date | null;
  lastFrom: string | null;
  snippet: string | null;
}

export async function listThreads(sql: Sql, view: ThreadView, limit = 200): Promise<ThreadListItem[]> {
  return sql<ThreadListItem[]>`
    select t.id, t.subject, t.status, c.code as client_code, c.name as client_name,
           d.code as deliverable_code, v.number as version_number, u.name as assignee_name,
           t.message_count, t.last_message_at, last.from_name as last_from, left(last.visible_text, 160) as snippet
    from threads t
    left join clients c on c.id = t.client_id
    left join deliverables d on d.id = t.deliverable_id
    left join versions v on v.id = t.version_id
    left join users u on u.id = t.assignee_id
    left join lateral (
      select coalesce(nullif(m.from_name, ''), m.from_address) as from_name, m.visible_text
      from messages m where m.thread_id = t.id order by m.received_at desc, m.id desc limit 1
    ) last on true
    where ${view === 'all' ? sql`t.status <> 'closed'` : sql`t.status = ${view}`}
    order by t.last_message_at desc nulls last, t.id desc
    limit ${limit}`;
}

export interface ThreadMessage {
  id: number;
  direction: 'inbound' | 'outbound';
  fromName: string | null;
  fromAddress: string | null;
  receivedAt: Date;
  subject: string;
  visibleText: string | null;
  quotedText: string | null;
  signature: string | null;
  intent: string | null;
  decidingPhrase: string | null;
  automated: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** The approval decision this message made, if it read as one. */
  decisionStatus: string | null;
  decisionReason: string | null;
  /** The version the message answers, when one was found. */
  versionLabel: string | null;
}

export async function getThread(
  sql: Sql,
  id: number,
): Promise<{ thread: ThreadListItem; messages: ThreadMessage[] } | null> {
  const [thread] = await sql<ThreadListItem[]>`
    select t.id, t.subject, t.status, c.code as client_code, c.name as client_name,
           d.code as deliverable_code, v.number as version_number, u.name as assignee_name,
           t.message_count, t.last_message_at, null as last_from, null as snippet
    from threads t
    left join clients c on c.id = t.client_id
    left join deliverables d on d.id = t.deliverable_id
    left join versions v on v.id = t.version_id
    left join users u on u.id = t.assignee_id
    where t.id = ${id}`;
  if (!thread) return null;
  const messages = await sql<ThreadMessage[]>`
    select m.id, m.direction, m.from_name, m.from_address, m.received_at, m.subject, m.visible_text, m.quoted_text,
           m.signature, m.intent, m.deciding_phrase, m.automated, m.attachments,
           a.status as decision_status, a.reason as decision_reason,
           case when d.code is not null then d.code || ' v' || v.number end as version_label
    from messages m
      left join approvals a on a.message_id = m.id
      left join versions v on v.id = m.version_id
      left join deliverables d on d.id = v.deliverable_id
    where m.thread_id = ${id} order by m.received_at, m.id`;
  return { thread, messages };
}
