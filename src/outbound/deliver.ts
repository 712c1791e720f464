import type { Clock } from '../clock.js';
import type { Sql } from '../db/index.js';
import { errorMessage, isAppError } from '../errors.js';
import { sha256Hex, storeRawMessage } from '../ingest/raw-store.repo.js';
import type { Logger } from '../log.js';
import {
  abandonInterrupted,
  type ClaimedRow,
  claimDue,
  findOutboundRaw,
  loadAttachments,
  markFailed,
  markSent,
  OUTBOX_CHANNEL,
} from './outbox.repo.js';
import type { Sender } from './sender.js';

/**
 * Flushes the outbox: claim due rows (committed before sending), send each, record the outcome, and
 * keep a copy of what was sent in raw_messages (source 'outbound') so the processing queue threads it
 * like any other outbound mail. One failing row never stops the others.
 */

/** Rows claimed at a time. */
const BATCH = 20;
const POLL_MS = 15_000;
/**
 * A row still 'sending' this long after its attempt started belongs to a process that died: with the
 * SMTP timeouts in sender.ts one message takes at most about two minutes, a batch of 20 under 40.
 */
const INTERRUPTED_AFTER_MINUTES = 60;

export interface FlushResult {
  sent: number;
  failed: number;
  dead: number;
  results: { id: number; status: string; messageId: string; detail: string }[];
}

async function storeOwnCopy(sql: Sql, row: ClaimedRow, raw: Buffer, at: Date): Promise<number | null> {
  await storeRawMessage(
    sql,
    { source: 'outbound', sourceRef: `outbox:${row.id}`, bytes: raw, internalDate: at },
    at,
  );
  return findOutboundRaw(sql, sha256Hex(raw));
}

async function deliverOne(sql: Sql, sender: Sender, clock: Clock, log: Logger, row: ClaimedRow) {
  const now = clock.now();
  const messageId = row.message.messageId;
  let sent: { raw: Buffer; response: string };
  try {
    const files = await loadAttachments(
      sql,
      row.message.attachments.map((a) => a.sha256),
    );
    sent = await sender.send(row.message, files, now);
  } catch (error) {
    const permanent = isAppError(error, 'SEND_PERMANENT');
    const detail = errorMessage(error);
    let status: string = 'sending';
    try {
      status = (await markFailed(sql, row.id, detail, now, permanent)) ?? 'unknown';
    } catch (recordError) {
      // The row stays 'sending' and is declared dead later; it is never sent twice.
      log.error({ outboxId: row.id, error: errorMessage(recordError) }, 'Could not record a failed send.');
    }
    log.warn(
      { outboxId: row.id, kind: row.kind, attempts: row.attempts, status, permanent, error: detail },
      status === 'dead' ? 'Outbound message is dead.' : 'Outbound message failed; will retry.',
    );
    return { id: row.id, status, messageId, detail };
  }

  // Sent: from here on nothing may put the row back in the queue.
  let rawId: number | null = null;
  try {
    rawId = await storeOwnCopy(sql, row, sent.raw, now);
  } catch (error) {
    log.warn({ outboxId: row.id, error: errorMessage(error) }, 'Sent message not stored as raw mail.');
  }
  try {
    await markSent(sql, row.id, now, rawId);
  } catch (error) {
    log.error({ outboxId: row.id, error: errorMessage(error) }, 'Message sent but not recorded as sent.');
  }
  log.info(
    { outboxId: row.id, kind: row.kind, attempts: row.attempts, rawMessageId: rawId, bytes: sent.raw.length },
    'Outbound message sent.',
  );
  return { id: row.id, status: 'sent', messageId, detail: sent.response };
}

/**
 * Sends what is due now (only `ids`, when given), in claims of BATCH rows so a crash strands few rows
 * in 'sending'; `limit` caps the rows handled by this call (default: all that are due), `signal` stops
 * it after the batch in hand. Terminates: every claimed row leaves the due set (sent, dead, or queued
 * again with a later next attempt).
 */
export async function flushOutbox(
  sql: Sql,
  sender: Sender,
  clock: Clock,
  log: Logger,
  options: { ids?: number[]; limit?: number; signal?: AbortSignal } = {},
): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, failed: 0, dead: 0, results: [] };
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  // The signal is read only between claims: a claimed row is always attempted, never stranded.
  while (remaining > 0 && !options.signal?.aborted) {
    const batch = Math.min(BATCH, remaining);
    const claimed = await claimDue(sql, clock.now(), {
      limit: batch,
      ...(options.ids ? { ids: options.ids } : {}),
    });
    for (const row of claimed) {
      const outcome = await deliverOne(sql, sender, clock, log, row);
      result.results.push(outcome);
      if (outcome.status === 'sent') result.sent++;
      else if (outcome.status === 'dead') result.dead++;
      else result.failed++;
    }
    remaining -= claimed.length;
    if (claimed.length < batch) break;
  }
  if (result.results.length > 0) {
    log.info(
      {
        handled: result.results.length,
        sent: result.sent,
        failed: result.failed,
        dead: result.dead,
        via: sender.describe,
      },
      'Outbox flushed.',
    );
  }
  return result;
}

/**
 * Sends whenever something is queued (LISTEN/NOTIFY) and at least every `intervalMs` (retries whose
 * backoff ended, a missed notification), one flush at a time per process. Any number of processes
 * may run it: claims skip rows another process holds.
 */
export function startOutboxLoop(
  sql: Sql,
  sender: Sender,
  clock: Clock,
  log: Logger,
  options: { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  const stopping = new AbortController();
  let again = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const work = async () => {
    while (again && !stopped) {
      again = false;
      try {
        const abandoned = await abandonInterrupted(sql, clock.now(), INTERRUPTED_AFTER_MINUTES);
        if (abandoned.length > 0) {
          log.warn(
            { count: abandoned.length, outboxIds: abandoned },
            'Messages interrupted while sending were marked dead; they are never resent.',
          );
        }
        await flushOutbox(sql, sender, clock, log, { signal: stopping.signal });
      } catch (error) {
        log.error({ error: errorMessage(error) }, 'Outbox flush stopped on an error; retrying soon.');
      }
    }
  };
  const tick = () => {
    if (stopped) return;
    again = true;
    running = running.then(work);
  };

  const listening = sql.listen(OUTBOX_CHANNEL, tick).catch((error) => {
    log.warn({ error: errorMessage(error) }, 'LISTEN failed; the outbox is polled only.');
    return undefined;
  });
  const schedule = () => {
    timer = setTimeout(() => {
      tick();
      schedule();
    }, options.intervalMs ?? POLL_MS);
  };
  tick();
  schedule();
  log.info({ via: sender.describe }, 'Outbox loop started.');

  return {
    async stop() {
      stopped = true;
      stopping.abort();
      clearTimeout(timer);
      await (await listening)?.unlisten().catch(() => {});
      await running;
    },
  };
}
