/**
 * glibc malloc settings for Signoff's processes and for the embedded PostgreSQL server.
 *
 * By default glibc gives a buffer over its mmap threshold (128 KB, raised as large buffers are freed,
 * up to 32 MB) pages mapped for it alone and unmaps them on free, and it hands free memory at the top
 * of the heap back once that passes the trim threshold. Mail is megabytes a message here, and its bytes
 * cross several such buffers (IMAP literals, COPY, socket reads), so the same memory was mapped,
 * faulted in page by page and unmapped again for every message. With large buffers kept in the heap
 * (up to 32 MB each) and up to 64 MB of free heap kept for the next message:
 * - PostgreSQL storing the 433 MB of the ingest benchmark's mailbox by binary COPY used 2.3-2.8 s of
 *   CPU instead of 4.5-5.5 s (page faults had been half of it);
 * - the worker took about 100,000 page faults in a 5,000-message backfill instead of 115,000-122,000,
 *   and each of five paired backfills was faster (15.7 against 16.6 s, 15.7/18.5, 18.7/20.6,
 *   15.7/17.4, 20.5/21.3), for 10-15 MB more peak RSS.
 *
 * glibc reads GLIBC_TUNABLES when a process starts, so it is set where processes are started: `npm
 * start`, docker-compose.yml (the app and its PostgreSQL), and the embedded server's environment.
 * Other C libraries ignore it.
 */
export const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';

/** `env` with MALLOC_TUNABLES in GLIBC_TUNABLES, ahead of any tunables it already sets (which win). */
export function withMallocTunables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = env.GLIBC_TUNABLES;
  if (own?.includes(MALLOC_TUNABLES)) return { ...env };
  return { ...env, GLIBC_TUNABLES: own ? `${MALLOC_TUNABLES}:${own}` : MALLOC_TUNABLES };
}
