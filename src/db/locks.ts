/**
 * Advisory lock keys, in one place so no two features ever share one by accident.
 * Transaction-scoped (pg_advisory_xact_lock) unless noted.
 */
export const LOCKS = {
  migrate: 7_319_004_201,
  demoSeed: 7_319_004_202,
  threading: 7_319_004_203,
} as const;

/**
 * Session-scoped two-key lock (namespace, mailbox id), held on a dedicated connection by the worker
 * that owns a mailbox's IMAP session. int4 range.
 */
export const MAILBOX_SESSION_LOCK_NAMESPACE = 73_190;
