import type { Clock } from '../clock.js';
import type { EnvMailbox, IngestSettings } from '../config.js';
import type { Sql } from '../db/index.js';
import { MAILBOX_SESSION_LOCK_NAMESPACE } from '../db/locks.js';
import { errorMessage } from '../errors.js';
import type { RawHandoff } from '../ingest/raw-handoff.js';
import type { Logger } from '../log.js';
import { backoffDelayMs, HEALTHY_CONNECTION_MS } from './backoff.js';
import { MailboxSession } from './imap-sync.js';
import {
  loadEnabledMailboxes,
  type MailboxSettings,
  setMailboxState,
  upsertEnvMailbox,
} from './mailboxes.repo.js';

/**
 * Runs the IMAP sessions of the worker role. Exactly one process in the fleet syncs a given mailbox:
 * it holds a session-level advisory lock on a dedicated connection. If that process dies, PostgreSQL
 * drops its connection and the lock, and another worker's next check (every 10 s) takes over.
 */

const CHECK_INTERVAL_MS = 10_000;

export interface SupervisorDeps {
  sql: Sql;
  clock: Clock;
  log: Logger;
  settings: IngestSettings;
  appSecret: string;
  envMailbox: EnvMailbox | undefined;
  handoff?: RawHandoff;
}

interface Runner {
  /** Settles when the runner ends by itself (lock lost) or after stop(). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

async function tryLockMailbox(sql: Sql, mailboxId: number) {
  const connection = await sql.reserve();
  try {
    const [row] = await connection<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${MAILBOX_SESSION_LOCK_NAMESPACE}, ${mailboxId}::int) as locked`;
    if (row?.locked) return connection;
  } catch {
    // the database is unreachable: nobody can hold the lock through us now
  }
  connection.release();
  return null;
}

function runMailbox(
  mailbox: MailboxSettings,
  lock: Awaited<ReturnType<Sql['reserve']>>,
  deps: SupervisorDeps,
): Runner {
  const log = deps.log.child({ mailboxId: mailbox.id });
  let stopped = false;
  let wake: () => void = () => {};
  let current: MailboxSession | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // The lock lives as long as its connection: if that connection is gone, so is our claim.
  const lockAlive = async () => {
    try {
      await lock`select 1`;
      return true;
    } catch {
      return false;
    }
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      const session = new MailboxSession(mailbox, {
        sql: deps.sql,
        clock: deps.clock,
        log,
        settings: deps.settings,
        handoff: deps.handoff,
      });
      current = session;
      const startedAt = Date.now();
      let failure: string | null = null;
      try {
        await session.start();
        const watchdog = setInterval(async () => {
          if (!(await lockAlive())) {
            log.warn('Lost the mailbox lock connection: stopping this IMAP session.');
            stopped = true;
            void session.close();
          }
        }, CHECK_INTERVAL_MS);
        await session.done;
        clearInterval(watchdog);
        failure = 'connection closed';
      } catch (error) {
        failure = errorMessage(error);
      }
      await session.close().catch(() => {});
      current = undefined;
      if (stopped) break;
      failures = Date.now() - startedAt >= HEALTHY_CONNECTION_MS ? 1 : failures + 1;
      const delay = backoffDelayMs(failures - 1);
      log.warn({ error: failure, retryInMs: delay }, 'IMAP session ended; reconnecting after a pause.');
      await setMailboxState(deps.sql, mailbox.id, 'backoff', { error: failure }).catch(() => {});
      await sleep(delay);
    }
    await setMailboxState(deps.sql, mailbox.id, 'stopped').catch(() => {});
    await lock`select pg_advisory_unlock(${MAILBOX_SESSION_LOCK_NAMESPACE}, ${mailbox.id}::int)`.catch(
      () => {},
    );
    lock.release();
  })();

  return {
    finished: loop,
    async stop() {
      stopped = true;
      wake();
      await current?.close().catch(() => {});
      await loop;
    },
  };
}

export function startMailboxSupervisor(deps: SupervisorDeps): { stop(): Promise<void> } {
  const runners = new Map<number, Runner>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> = Promise.resolve();

  let envRegistered = false;
  const check = async () => {
    if (deps.envMailbox && !envRegistered) {
      await upsertEnvMailbox(deps.sql, deps.envMailbox);
      envRegistered = true;
    }
    const mailboxes = await loadEnabledMailboxes(deps.sql, deps.appSecret, deps.envMailbox);
    for (const [id, runner] of runners) {
      if (!mailboxes.some((m) => m.id === id)) {
        runners.delete(id);
        await runner.stop();
      }
    }
    for (const mailbox of mailboxes) {
      if (stopped || runners.has(mailbox.id)) continue;
      const lock = await tryLockMailbox(deps.sql, mailbox.id);
      if (!lock) continue; // another worker syncs it
      deps.log.info({ mailboxId: mailbox.id, name: mailbox.name }, 'This worker now syncs the mailbox.');
      const runner = runMailbox(mailbox, lock, deps);
      runners.set(mailbox.id, runner);
      void runner.finished.then(() => {
        if (runners.get(mailbox.id) === runner) runners.delete(mailbox.id);
      });
    }
  };
  const tick = () => {
    checking = checking
      .then(check)
      .catch((error) => deps.log.warn({ error: errorMessage(error) }, 'Mailbox check failed.'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, CHECK_INTERVAL_MS);
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await checking;
      await Promise.all([...runners.values()].map((r) => r.stop()));
      runners.clear();
    },
  };
}
