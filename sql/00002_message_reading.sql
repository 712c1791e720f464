-- A forwarded message inside a client's mail is content they passed on, neither their own new text
-- nor quoted history: kept apart so it is shown but never read for intent.
alter table messages add column forwarded_text text;

-- The deliverable version a message answers, and how that was established: by our signed reply token,
-- by our signed Message-ID in its references, or by the subject tag alone. Approval rules trust only
-- the first two.
alter table messages
  add column version_id bigint,
  add column version_resolved_by text,
  add constraint messages_version_fkey foreign key (version_id) references versions (id) on delete set null,
  add constraint messages_version_resolved_by_check check (
    version_resolved_by is null or version_resolved_by in ('token', 'message_id', 'subject_tag')
  );
create index messages_version_idx on messages (version_id) where version_id is not null;
