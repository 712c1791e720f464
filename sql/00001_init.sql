-- Signoff: the whole domain of PRODUCT.md. Forward-only: never edit after it lands; add 00002_... instead.
-- Every natural idempotency key has a named unique constraint (or a partial unique index where NULLs
-- would otherwise let duplicates through), so every writer can use `on conflict`.

create table settings (
  key text not null,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  constraint settings_pkey primary key (key)
);

-- The agency team.
create table users (
  id bigint generated always as identity,
  email text not null,
  name text not null,
  role text not null default 'lead',
  password_hash text,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_pkey primary key (id),
  constraint users_email_key unique (email),
  constraint users_email_lower_check check (email = lower(email) and position('@' in email) > 1),
  constraint users_role_check check (role in ('admin', 'lead', 'member'))
);

-- Only the sha256 of a session token is stored: a leaked table does not leak sessions.
create table sessions (
  id text not null,
  user_id bigint not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now(),
  user_agent text,
  ip text,
  constraint sessions_pkey primary key (id),
  constraint sessions_user_fkey foreign key (user_id) references users (id) on delete cascade
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table clients (
  id bigint generated always as identity,
  code text not null,
  name text not null,
  time_zone text not null default 'UTC',
  account_lead_id bigint,
  -- SLA policy: hours are business hours in the client's time zone.
  sla_policy jsonb not null default '{"firstResponseHours": 8, "approvalReminderHours": 16, "escalateAfterHours": 40, "businessHours": {"start": "09:00", "end": "17:30", "days": [1, 2, 3, 4, 5]}}',
  -- Reporting schedule: how often the client gets a status report, and when.
  reporting_schedule jsonb not null default '{"cadence": "weekly", "weekday": 1, "time": "09:00"}',
  next_deliverable_seq integer not null default 1,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint clients_pkey primary key (id),
  constraint clients_code_key unique (code),
  constraint clients_code_check check (code ~ '^[A-Z][A-Z0-9]{1,11}$'),
  constraint clients_account_lead_fkey foreign key (account_lead_id) references users (id) on delete set null
);

-- A mail domain belongs to exactly one client: that is how an unknown sender's client is found.
create table client_domains (
  domain text not null,
  client_id bigint not null,
  created_at timestamptz not null default now(),
  constraint client_domains_pkey primary key (domain),
  constraint client_domains_client_fkey foreign key (client_id) references clients (id) on delete cascade,
  constraint client_domains_lower_check check (domain = lower(domain))
);
create index client_domains_client_idx on client_domains (client_id);

create table contacts (
  id bigint generated always as identity,
  client_id bigint not null,
  email text not null,
  name text not null,
  can_approve boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contacts_pkey primary key (id),
  constraint contacts_client_email_key unique (client_id, email),
  constraint contacts_client_fkey foreign key (client_id) references clients (id) on delete cascade,
  constraint contacts_email_lower_check check (email = lower(email))
);
create index contacts_email_idx on contacts (email);

-- IMAP mailboxes. The password is kept encrypted with the app secret (AES-256-GCM), never in clear.
create table mailboxes (
  id bigint generated always as identity,
  name text not null,
  host text not null,
  port integer not null,
  tls boolean not null default true,
  username text not null,
  password_enc bytea,
  folders text[] not null default '{}',
  source text not null default 'database',
  enabled boolean not null default true,
  state text not null default 'idle',
  last_error text,
  last_sync_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint mailboxes_pkey primary key (id),
  constraint mailboxes_name_key unique (name),
  constraint mailboxes_source_check check (source in ('env', 'database')),
  constraint mailboxes_port_check check (port between 1 and 65535)
);

-- Per-folder sync cursor: (uidvalidity, last_uid) moves in the same transaction that stores the raw bytes.
create table mailbox_folders (
  id bigint generated always as identity,
  mailbox_id bigint not null,
  path text not null,
  special_use text,
  direction text not null default 'inbound',
  uidvalidity bigint,
  last_uid bigint not null default 0,
  last_sync_at timestamptz,
  created_at timestamptz not null default now(),
  constraint mailbox_folders_pkey primary key (id),
  constraint mailbox_folders_mailbox_path_key unique (mailbox_id, path),
  constraint mailbox_folders_mailbox_fkey foreign key (mailbox_id) references mailboxes (id) on delete cascade,
  constraint mailbox_folders_direction_check check (direction in ('inbound', 'outbound'))
);

create table threads (
  id bigint generated always as identity,
  client_id bigint,
  subject text not null default '',
  normalized_subject text not null default '',
  status text not null default 'open',
  needs_triage boolean not null default true,
  assignee_id bigint,
  deliverable_id bigint,
  version_id bigint,
  snoozed_until timestamptz,
  first_message_at timestamptz,
  last_message_at timestamptz,
  last_inbound_at timestamptz,
  last_outbound_at timestamptz,
  message_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint threads_pkey primary key (id),
  constraint threads_client_fkey foreign key (client_id) references clients (id) on delete set null,
  constraint threads_assignee_fkey foreign key (assignee_id) references users (id) on delete set null,
  constraint threads_status_check check (status in ('open', 'waiting_on_us', 'waiting_on_client', 'snoozed', 'closed'))
);
create index threads_client_subject_idx on threads (client_id, normalized_subject, last_message_at);
create index threads_last_message_idx on threads (last_message_at desc);
create index threads_assignee_idx on threads (assignee_id) where assignee_id is not null;

-- Parsed messages. One row per distinct message: the same message seen in two folders shares a row
-- (dedupe_key = Message-ID + sha256 of the raw bytes), while two different messages that reuse a
-- Message-ID differ in sha256 and are both kept.
create table messages (
  id bigint generated always as identity,
  dedupe_key text not null,
  thread_id bigint,
  client_id bigint,
  direction text not null,
  message_id_header text,
  in_reply_to text,
  "references" text[] not null default '{}',
  subject text not null default '',
  from_address text,
  from_name text,
  from_ambiguous boolean not null default false,
  to_addresses jsonb not null default '[]',
  cc_addresses jsonb not null default '[]',
  sent_at timestamptz,
  received_at timestamptz not null,
  text_body text,
  html_body text,
  visible_text text,
  quoted_text text,
  signature text,
  intent text,
  intent_confidence real,
  deciding_phrase text,
  automated text,
  attachments jsonb not null default '[]',
  -- Why this message was not parsed in full, or what was wrong with it (oversize, malformed ...).
  flags text[] not null default '{}',
  raw_sha256 text not null,
  created_at timestamptz not null default now(),
  constraint messages_pkey primary key (id),
  constraint messages_dedupe_key unique (dedupe_key),
  constraint messages_thread_fkey foreign key (thread_id) references threads (id) on delete set null,
  constraint messages_client_fkey foreign key (client_id) references clients (id) on delete set null,
  constraint messages_direction_check check (direction in ('inbound', 'outbound')),
  constraint messages_intent_check check (
    intent is null or intent in (
      'approval', 'conditional_approval', 'rejection', 'feedback', 'question', 'request', 'auto_reply', 'bounce', 'other'
    )
  )
);
-- Parsed text is stored uncompressed too: pglz on these columns cost PostgreSQL about a fifth of its CPU
-- in the ingest benchmark (ingest 5000: 16.1 s instead of 19.7 s), and the raw bytes beside them are
-- larger anyway.
alter table messages alter column text_body set storage external, alter column html_body set storage external,
  alter column quoted_text set storage external;
create index messages_thread_idx on messages (thread_id, received_at);
create index messages_message_id_idx on messages (message_id_header);
-- Replies that arrive before the message they answer (backfill order) are found through these.
create index messages_in_reply_to_idx on messages (in_reply_to);
create index messages_references_idx on messages using gin ("references");
create index messages_received_idx on messages (received_at desc);

-- Raw bytes exactly as fetched, committed before anything parses them. Processing state lives here:
-- the queue is claimed with FOR UPDATE SKIP LOCKED.
create table raw_messages (
  id bigint generated always as identity,
  source text not null,
  mailbox_id bigint,
  folder_id bigint,
  uidvalidity bigint,
  uid bigint,
  source_ref text,
  sha256 text not null,
  size integer not null,
  bytes bytea not null,
  internal_date timestamptz,
  stored_at timestamptz not null default now(),
  flags text[] not null default '{}',
  process_state text not null default 'queued',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error_code text,
  last_error text,
  processed_at timestamptz,
  message_id bigint,
  constraint raw_messages_pkey primary key (id),
  constraint raw_messages_imap_key unique (mailbox_id, folder_id, uidvalidity, uid),
  constraint raw_messages_mailbox_fkey foreign key (mailbox_id) references mailboxes (id) on delete restrict,
  constraint raw_messages_folder_fkey foreign key (folder_id) references mailbox_folders (id) on delete restrict,
  constraint raw_messages_message_fkey foreign key (message_id) references messages (id) on delete set null,
  constraint raw_messages_source_check check (source in ('imap', 'import', 'outbound')),
  constraint raw_messages_imap_fields_check check (
    source <> 'imap' or (mailbox_id is not null and folder_id is not null and uidvalidity is not null and uid is not null)
  ),
  constraint raw_messages_state_check check (process_state in ('queued', 'processed', 'failed'))
);
-- Imports and our own outbound copies have no IMAP coordinates: their bytes are their identity.
-- Raw mail is stored out of line but not compressed: pglz spent most of PostgreSQL's CPU in the ingest
-- benchmark (MIME attachments are base64 of already-compressed files and shrink by only about a quarter),
-- and lz4 is not available in every PostgreSQL build we run on.
alter table raw_messages alter column bytes set storage external;
create unique index raw_messages_non_imap_sha256_key on raw_messages (source, sha256) where source <> 'imap';
create index raw_messages_queue_idx on raw_messages (next_attempt_at, id) where process_state = 'queued';
-- Only failures are listed by state; an index on every state change would cost each processed row.
create index raw_messages_failed_idx on raw_messages (id) where process_state = 'failed';
create index raw_messages_message_idx on raw_messages (message_id);

create table deliverables (
  id bigint generated always as identity,
  client_id bigint not null,
  code text not null,
  title text not null,
  owner_id bigint,
  request_id bigint,
  status text not null default 'draft',
  due_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint deliverables_pkey primary key (id),
  constraint deliverables_code_key unique (code),
  constraint deliverables_client_fkey foreign key (client_id) references clients (id) on delete restrict,
  constraint deliverables_owner_fkey foreign key (owner_id) references users (id) on delete set null,
  constraint deliverables_status_check check (
    status in ('draft', 'in_review', 'changes_requested', 'approved', 'delivered', 'cancelled')
  )
);
create index deliverables_client_idx on deliverables (client_id);

create table versions (
  id bigint generated always as identity,
  deliverable_id bigint not null,
  number integer not null,
  status text not null default 'draft',
  content_hash text,
  note text,
  link_url text,
  files jsonb not null default '[]',
  sent_at timestamptz,
  created_by bigint,
  created_at timestamptz not null default now(),
  constraint versions_pkey primary key (id),
  constraint versions_deliverable_number_key unique (deliverable_id, number),
  constraint versions_deliverable_fkey foreign key (deliverable_id) references deliverables (id) on delete cascade,
  constraint versions_created_by_fkey foreign key (created_by) references users (id) on delete set null,
  constraint versions_number_check check (number >= 1),
  constraint versions_status_check check (
    status in ('draft', 'in_review', 'changes_requested', 'approved', 'superseded')
  )
);

alter table threads
  add constraint threads_deliverable_fkey foreign key (deliverable_id) references deliverables (id) on delete set null,
  add constraint threads_version_fkey foreign key (version_id) references versions (id) on delete set null;

create table requests (
  id bigint generated always as identity,
  client_id bigint not null,
  thread_id bigint,
  origin_message_id bigint,
  requester_email text,
  requester_contact_id bigint,
  title text not null,
  description text,
  due_at timestamptz,
  owner_id bigint,
  status text not null default 'new',
  received_at timestamptz not null,
  started_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint requests_pkey primary key (id),
  -- One request per originating message: replaying the message creates nothing new.
  constraint requests_origin_message_key unique (origin_message_id),
  constraint requests_client_fkey foreign key (client_id) references clients (id) on delete restrict,
  constraint requests_thread_fkey foreign key (thread_id) references threads (id) on delete set null,
  constraint requests_origin_message_fkey foreign key (origin_message_id) references messages (id) on delete set null,
  constraint requests_contact_fkey foreign key (requester_contact_id) references contacts (id) on delete set null,
  constraint requests_owner_fkey foreign key (owner_id) references users (id) on delete set null,
  constraint requests_status_check check (status in ('new', 'in_progress', 'done', 'declined'))
);
create index requests_client_idx on requests (client_id, status);

alter table deliverables
  add constraint deliverables_request_fkey foreign key (request_id) references requests (id) on delete set null;

-- Feedback is tied to the exact version the reply answers, never to "the latest".
create table feedback (
  id bigint generated always as identity,
  version_id bigint not null,
  message_id bigint not null,
  contact_id bigint,
  from_address text not null,
  body text not null,
  received_at timestamptz not null,
  created_at timestamptz not null default now(),
  constraint feedback_pkey primary key (id),
  constraint feedback_version_message_key unique (version_id, message_id),
  constraint feedback_version_fkey foreign key (version_id) references versions (id) on delete cascade,
  constraint feedback_message_fkey foreign key (message_id) references messages (id) on delete cascade,
  constraint feedback_contact_fkey foreign key (contact_id) references contacts (id) on delete set null
);

-- Every approval-like decision, final or awaiting a lead, with its evidence.
create table approvals (
  id bigint generated always as identity,
  deliverable_id bigint,
  version_id bigint,
  message_id bigint not null,
  contact_id bigint,
  intent text not null,
  status text not null,
  reason text,
  evidence jsonb not null,
  resolved_by bigint,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  constraint approvals_pkey primary key (id),
  -- The same message ingested twice records one decision.
  constraint approvals_message_key unique (message_id),
  constraint approvals_deliverable_fkey foreign key (deliverable_id) references deliverables (id) on delete cascade,
  constraint approvals_version_fkey foreign key (version_id) references versions (id) on delete cascade,
  constraint approvals_message_fkey foreign key (message_id) references messages (id) on delete cascade,
  constraint approvals_contact_fkey foreign key (contact_id) references contacts (id) on delete set null,
  constraint approvals_resolved_by_fkey foreign key (resolved_by) references users (id) on delete set null,
  constraint approvals_intent_check check (intent in ('approval', 'conditional_approval')),
  constraint approvals_status_check check (status in ('final', 'needs_confirmation', 'confirmed', 'dismissed')),
  constraint approvals_reason_check check (
    reason is null or reason in (
      'not_approver', 'unauthenticated', 'stale_version', 'conditional', 'unresolved_version', 'ambiguous_from'
    )
  )
);
create index approvals_status_idx on approvals (status);
create index approvals_version_idx on approvals (version_id);

-- Transactional outbox: the Message-ID is assigned before sending; a row is delivered at most once.
create table outbox (
  id bigint generated always as identity,
  kind text not null,
  idempotency_key text not null,
  message_id_header text not null,
  thread_id bigint,
  version_id bigint,
  from_address text not null,
  to_addresses jsonb not null,
  cc_addresses jsonb not null default '[]',
  subject text not null,
  text_body text not null,
  html_body text,
  headers jsonb not null default '{}',
  attachments jsonb not null default '[]',
  automated boolean not null default false,
  status text not null default 'queued',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  constraint outbox_pkey primary key (id),
  constraint outbox_idempotency_key unique (idempotency_key),
  constraint outbox_message_id_key unique (message_id_header),
  constraint outbox_thread_fkey foreign key (thread_id) references threads (id) on delete set null,
  constraint outbox_version_fkey foreign key (version_id) references versions (id) on delete set null,
  constraint outbox_status_check check (status in ('queued', 'sending', 'sent', 'failed', 'dead')),
  constraint outbox_kind_check check (
    kind in ('review_request', 'approval_confirmation', 'reminder', 'escalation', 'digest', 'report', 'reply')
  )
);
create index outbox_queue_idx on outbox (next_attempt_at, id) where status = 'queued';

-- Scheduled jobs: one row per (job, period) so each run happens once across the fleet.
create table job_runs (
  id bigint generated always as identity,
  job text not null,
  run_key text not null,
  status text not null default 'running',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  error text,
  constraint job_runs_pkey primary key (id),
  constraint job_runs_job_run_key unique (job, run_key),
  constraint job_runs_status_check check (status in ('running', 'done', 'failed'))
);

-- Append-only audit trail of every state change.
create table audit_events (
  id bigint generated always as identity,
  at timestamptz not null default now(),
  actor_type text not null,
  actor_id text,
  action text not null,
  subject_type text not null,
  subject_id text not null,
  before jsonb,
  after jsonb,
  constraint audit_events_pkey primary key (id),
  constraint audit_events_actor_type_check check (actor_type in ('user', 'system', 'client'))
);
create index audit_events_subject_idx on audit_events (subject_type, subject_id, at);

create function audit_events_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_events is append-only';
end;
$$;

create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
