-- A forwarded message inside a client's mail is content they passed on, neither their own new text
-- nor quoted history: kept apart so it is shown but never read for intent.
alter table messages add column forwarded_text text;
