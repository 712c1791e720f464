-- Threading looks up stored replies to each new message through this index (references @> array[id]),
-- once a batch. With GIN's fast update, new entries wait in a pending list that every lookup scans in
-- full until a vacuum merges them: in a backfill that scan grew with every message stored and took
-- more of PostgreSQL's CPU than any other lookup. Entries now go straight into the index.
alter index messages_references_idx set (fastupdate = off);
select gin_clean_pending_list('messages_references_idx');
