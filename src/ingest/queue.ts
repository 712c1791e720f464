import type { Clock } from '../clock.js';
import type { IngestSettings } from '../config.js';
import type { Sql } from '../db/index.js';
import { errorMessage, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_PARSE_LIMITS } from '../parse/parse-email.js';
import { type ProcessOptions, processRawMessage, type RawRow } from './process-message.js';

/**
 * The processing queue is the raw_messages table itself. A worker claims one row with
 * FOR UPDATE SKIP LOCKED and processes it inside that transaction, so a crashed worker simply
 * releases the row. The work runs in a savepoint: when it fails, the failure is recorded on the
 * row in the same transaction and the batch moves on.
 */

export const MAX_ATTEMPTS = 5;
// Deterministic failures: retrying the same bytes cannot help; an operator can still retry by hand.
const PERMANENT_CODES = new Set(['PARSE_LIMIT', 'PARSE_FAILED']);

export const DEFAULT_PROCESS_OPTIONS: ProcessOptions = {
  limits: DEFAULT_PARSE_LIMITS,
  subjectWindowDays: 30,
};

export function processOptions(settings: IngestSettings): ProcessOptions {
  return {
    ...DEFAULT_PROCESS_OPTIONS,
    limits: { maxBytes: settings.maxMessageBytes, timeoutMs: settings.parseTimeoutMs },
  };
}

export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 15 * 4 ** Math.max(0, attempts - 1));
}

export type ProcessOutcome = 'processed' | 'retry' | 'failed' | 'empty';

export async function processNext(
  sql: Sql,
  clock: Clock,
  log: Logger,
  options: ProcessOptions = DEFAULT_PROCESS_OPTIONS,
): Promise<ProcessOutcome> {
  const now = clock.now();
  return sql.begin(async (tx) => {
    const [raw] = await tx<(RawRow & { attempts: number })[]>`
      select r.id, r.source, r.sha256, r.bytes, r.internal_date, r.stored_at, r.attempts,
             f.direction as folder_direction
      from raw_messages r left join mailbox_folders f on f.id = r.folder_id
      where r.process_state = 'queued' and r.next_attempt_at <= ${now}
      order by r.next_attempt_at, r.id
      limit 1
      for update of r skip locked`;
    if (!raw) return 'empty' as const;
    const attempts = raw.attempts + 1;
    try {
      await tx.savepoint((sp) => processRawMessage(sp, raw, options));
      await tx`
        update raw_messages set process_state = 'processed', attempts = ${attempts}, processed_at = ${now},
          last_error_code = null, last_error = null
        where id = ${raw.id}`;
      return 'processed' as const;
    } catch (error) {
      const code = isAppError(error) ? error.code : 'PROCESS_FAILED';
      const final = attempts >= MAX_ATTEMPTS || PERMANENT_CODES.has(code);
      const next = new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
      await tx`
        update raw_messages set process_state = ${final ? 'failed' : 'queued'}, attempts = ${attempts},
          next_attempt_at = ${next}, last_error_code = ${code}, last_error = ${errorMessage(error).slice(0, 2000)}
        where id = ${raw.id}`;
      log.warn({ rawId: raw.id, code, attempts, final }, 'Message processing failed.');
      return final ? ('failed' as const) : ('retry' as const);
    }
  });
}

/** Processes everything that is due now; returns counts. */
export async function drainQueue(
  sql: Sql,
  clock: Clock,
  log: Logger,
  options: ProcessOptions = DEFAULT_PROCESS_OPTIONS,
): Promise<Record<Exclude<ProcessOutcome, 'empty'>, number>> {
  const counts = { processed: 0, retry: 0, failed: 0 };
  for (;;) {
    const outcome = await processNext(sql, clock, log, options);
    if (outcome === 'empty') return counts;
    counts[outcome]++;
  }
}
