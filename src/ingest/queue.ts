import type { Clock } from '../clock.js';
import type { IngestSettings } from '../config.js';
import type { Sql } from '../db/index.js';
import { verifySender } from '../domain/sender-auth.js';
import { errorMessage, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_PARSE_LIMITS } from '../parse/parse-email.js';
import { HEADER_PREFIX_BYTES } from '../parse/read-message.js';
import { deriveKey } from '../secrets.js';
import { inlineAnalyzer } from './analysis-pool.js';
import type { MessageAnalysis } from './analyze.js';
import { lockThreading } from './message.repo.js';
import {
  needsSenderCheck,
  PlacementCache,
  type PreparedMessage,
  type ProcessOptions,
  placeBatch,
  prepareMessage,
  type RawRow,
  type SigningKeys,
} from './process-message.js';
import { readRawBytes } from './raw-store.repo.js';

/**
 * The processing queue is the raw_messages table itself. A worker claims a batch of rows with
 * FOR UPDATE SKIP LOCKED and processes them inside that transaction, so a crashed worker simply
 * releases its rows. Reading (MIME parsing, the CPU-heavy part) happens first and only one message's
 * bytes are in memory at a time; placing messages in threads then runs under the threading lock, each
 * in a savepoint: a failure is recorded on its row in the same transaction and the batch moves on.
 * Batches cut the per-message round trips that made one-row transactions four times slower than parsing.
 */

export const MAX_ATTEMPTS = 5;
// Deterministic failures: retrying the same bytes cannot help; an operator can still retry by hand.
const PERMANENT_CODES = new Set(['PARSE_LIMIT', 'PARSE_FAILED']);

export const DEFAULT_PROCESS_OPTIONS: ProcessOptions = {
  limits: DEFAULT_PARSE_LIMITS,
  subjectWindowDays: 30,
};

export function processOptions(settings: IngestSettings, signing?: SigningKeys): ProcessOptions {
  return {
    ...DEFAULT_PROCESS_OPTIONS,
    limits: { maxBytes: settings.maxMessageBytes, timeoutMs: settings.parseTimeoutMs },
    ...(signing ? { signing } : {}),
  };
}

/** The keys that sign and verify our reply tokens and Message-IDs, derived from the app secret. */
export function signingKeys(appSecret: string, inboxAddress: string | undefined): SigningKeys {
  return { keys: deriveKey(appSecret, 'message-signing'), inboxAddress: inboxAddress ?? null };
}

export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 15 * 4 ** Math.max(0, attempts - 1));
}

export interface BatchCounts {
  processed: number;
  retry: number;
  failed: number;
}

const BATCH_SIZE = 50;

interface ClaimedRow extends RawRow {
  attempts: number;
  size: number;
}

/** Messages up to this size are read from the database for a whole batch at once; larger ones one at a time. */
const INLINE_BYTES = 256 * 1024;
/** Bytes of messages handed to parse threads and not yet answered (one message may be larger). */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

export async function processBatch(
  sql: Sql,
  clock: Clock,
  log: Logger,
  options: ProcessOptions = DEFAULT_PROCESS_OPTIONS,
  size = BATCH_SIZE,
): Promise<BatchCounts | null> {
  const now = clock.now();
  return sql.begin(async (tx) => {
    const mark = options.handoff?.mark() ?? 0;
    const rows = await tx<ClaimedRow[]>`
      select r.id, r.source, r.sha256, r.internal_date, r.stored_at, r.attempts, r.size,
             f.direction as folder_direction
      from raw_messages r left join mailbox_folders f on f.id = r.folder_id
      where r.process_state = 'queued' and r.next_attempt_at <= ${now}
      order by r.next_attempt_at, r.id
      limit ${size}
      for update of r skip locked`;
    options.handoff?.claimed(
      rows.map((r) => r.id),
      mark,
    );
    if (rows.length === 0) return null;
    const counts: BatchCounts = { processed: 0, retry: 0, failed: 0 };
    const fail = async (row: ClaimedRow, error: unknown) => {
      const attempts = row.attempts + 1;
      const code = isAppError(error) ? error.code : 'PROCESS_FAILED';
      const final = attempts >= MAX_ATTEMPTS || PERMANENT_CODES.has(code);
      const next = new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
      await tx`
        update raw_messages set process_state = ${final ? 'failed' : 'queued'}, attempts = ${attempts},
          next_attempt_at = ${next}, last_error_code = ${code}, last_error = ${errorMessage(error).slice(0, 2000)}
        where id = ${row.id}`;
      log.warn({ rawId: row.id, code, attempts, final }, 'Message processing failed.');
      counts[final ? 'failed' : 'retry']++;
    };

    // Bytes: handed over by this process's IMAP session, else small ones for the batch in one query,
    // else one at a time, so at most one large message is in memory beyond READ_AHEAD_BYTES.
    const bytes = new Map<number, Buffer>();
    for (const row of rows) {
      const handed = options.handoff?.take(row.id);
      if (handed) bytes.set(row.id, handed);
    }
    const small = rows.filter((r) => !bytes.has(r.id) && r.size <= INLINE_BYTES).map((r) => r.id);
    for (const [id, value] of await readRawBytes(tx, small)) bytes.set(id, value);
    // In row order; a message not in hand is fetched just before it is handed to the analyzer. With parse
    // threads a few are read at once, bounded in count and bytes; inline, one at a time.
    const analyzer = options.analyzer ?? inlineAnalyzer;
    const read: { row: ClaimedRow; message: PreparedMessage }[] = [];
    const reading: { row: ClaimedRow; raw: Buffer | undefined; analysis: Promise<MessageAnalysis> }[] = [];
    let readingBytes = 0;
    const finishOne = async () => {
      const next = reading.shift();
      if (!next) return;
      const { row, raw } = next;
      readingBytes -= raw?.length ?? 0;
      try {
        const message = prepareMessage(row, await next.analysis, options.signing);
        // Before the threading lock: verifying a sender may wait on DNS. Only mail that names one of our
        // versions by token or signed Message-ID can become a final approval, so only that is worth the
        // lookups (a backfill of old mail has many approvals and none of our tokens); a trusted
        // Authentication-Results header is read for all of it.
        if (options.senderAuth && raw && needsSenderCheck(message)) {
          const bound = message.token !== null || message.signedReference !== null;
          message.senderAuth = await verifySender(
            raw,
            message.email.from?.address ?? '',
            bound ? options.senderAuth : { ...options.senderAuth, verifyWithDns: false },
          );
        }
        read.push({ row, message });
      } catch (error) {
        await fail(row, error);
      }
    };
    for (const row of rows) {
      while (
        reading.length >= analyzer.concurrency ||
        (reading.length > 0 && readingBytes + row.size > READ_AHEAD_BYTES)
      ) {
        await finishOne();
      }
      try {
        // An oversize message is summarised from its headers: only its start leaves the database.
        const oversize = row.size > options.limits.maxBytes;
        const raw =
          bytes.get(row.id) ??
          (await readRawBytes(tx, [row.id], oversize ? HEADER_PREFIX_BYTES : undefined)).get(row.id);
        bytes.delete(row.id);
        const analysis = analyzer.analyze(raw ?? Buffer.alloc(0), options.limits, row.size);
        analysis.catch(() => {}); // awaited in finishOne, in row order
        reading.push({ row, raw, analysis });
        readingBytes += raw?.length ?? 0;
      } catch (error) {
        await fail(row, error);
      }
    }
    while (reading.length > 0) await finishOne();

    // Workers read in parallel but place messages one at a time: a reply and the message it answers,
    // placed at once by two workers, would each miss the other's uncommitted row and start two threads
    // (seen with two processes importing the demo mail). Held until this transaction commits.
    await lockThreading(tx);
    const cache = new PlacementCache();
    let placed: number[] = [];
    try {
      // Fast path: the whole batch in one savepoint.
      await tx.savepoint(async (sp) => {
        await placeBatch(
          sp,
          read.map(({ message }) => message),
          options,
          cache,
          now,
        );
      });
      placed = read.map(({ row }) => row.id);
    } catch {
      // Something in the batch failed: place them one by one, each in its own savepoint, so only the
      // culprit is marked failed.
      for (const { row, message } of read) {
        try {
          await tx.savepoint((sp) => placeBatch(sp, [message], options, cache, now));
          placed.push(row.id);
        } catch (error) {
          await fail(row, error);
        }
      }
    }
    counts.processed = placed.length;
    return counts;
  });
}

/** Processes everything that is due now; returns counts. */
export async function drainQueue(
  sql: Sql,
  clock: Clock,
  log: Logger,
  options: ProcessOptions = DEFAULT_PROCESS_OPTIONS,
): Promise<BatchCounts> {
  const total: BatchCounts = { processed: 0, retry: 0, failed: 0 };
  for (;;) {
    const counts = await processBatch(sql, clock, log, options);
    if (counts === null) return total;
    total.processed += counts.processed;
    total.retry += counts.retry;
    total.failed += counts.failed;
  }
}
