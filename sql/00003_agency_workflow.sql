-- The agency workflow: feedback that a lead marks addressed, why a thread waits in triage, the files of a
-- version kept in the database (every worker can attach them), and what the outbox needs to store a
-- copy of each message it sent.

alter table feedback
  add column status text not null default 'open',
  add column addressed_at timestamptz,
  add column addressed_by bigint,
  add constraint feedback_status_check check (status in ('open', 'addressed')),
  add constraint feedback_addressed_by_fkey foreign key (addressed_by) references users (id) on delete set null;
create index feedback_open_idx on feedback (version_id) where status = 'open';
-- One feedback row per message: a message answers one version.
create unique index feedback_message_key on feedback (message_id);

-- Why a thread waits for a lead: unknown_sender (not a contact of any client), decision (an approval
-- that needs confirmation), or null when it is ordinary new mail.
alter table threads
  add column triage_reason text,
  add constraint threads_triage_reason_check check (
    triage_reason is null or triage_reason in ('unknown_sender', 'needs_confirmation')
  );

-- Content-addressed file bodies: the sha256 is the key, so a file attached to many versions is stored once.
create table file_blobs (
  sha256 text not null,
  size integer not null,
  bytes bytea not null,
  created_at timestamptz not null default now(),
  constraint file_blobs_pkey primary key (sha256),
  constraint file_blobs_sha256_check check (sha256 ~ '^[0-9a-f]{64}$')
);
-- Already-compressed formats (images, PDFs, video) dominate: compressing them again costs CPU for nothing.
alter table file_blobs alter column bytes set storage external;

-- The contact a message goes to (review requests and confirmations are one message per person), and the
-- raw copy stored after delivery so the thread shows what was sent.
alter table outbox
  add column contact_id bigint,
  add column raw_message_id bigint,
  add constraint outbox_contact_fkey foreign key (contact_id) references contacts (id) on delete set null,
  add constraint outbox_raw_message_fkey foreign key (raw_message_id) references raw_messages (id) on delete set null;
create index outbox_version_idx on outbox (version_id) where version_id is not null;
create index outbox_thread_automated_idx on outbox (thread_id, created_at) where automated;
-- Rows claimed for sending: a crash mid-send leaves them here; they are never sent twice.
create index outbox_sending_idx on outbox (id) where status = 'sending';
