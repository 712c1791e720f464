import { type ServerType, serve } from '@hono/node-server';
import { type Clock, systemClock } from './clock.js';
import { type Config, loadConfigOrExit } from './config.js';
import { openDatabase } from './db/index.js';
import { migrate } from './db/migrate.js';
import { DEMO_LOGIN_EMAIL, demoPassword, isDemoSeeded, seedDemo } from './demo/seed.js';
import { countUsers } from './domain/users.repo.js';
import { errorMessage, isAppError } from './errors.js';
import { startParseThreads, startUnderstandingThread } from './ingest/analysis-pool.js';
import { RawHandoff } from './ingest/raw-handoff.js';
import { warmUp } from './ingest/warm-up.js';
import { startProcessingLoop } from './ingest/worker.js';
import { createLogger, type Logger } from './log.js';
import { startMailboxSupervisor } from './mailsource/supervisor.js';
import { startOutboxLoop } from './outbound/deliver.js';
import { createSender } from './outbound/sender.js';
import { processingOptions } from './processing.js';
import { resolveAppSecret } from './secrets.js';
import { createApp } from './web/app.js';

/**
 * Composition root: config -> logger -> database -> migrations -> demo data -> roles (web, worker,
 * scheduler) -> graceful shutdown on SIGINT/SIGTERM.
 */

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(server),
    );
    server.once('error', reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

function displayUrl(config: Config, server: ServerType): string {
  if (config.publicUrl) return config.publicUrl;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(config.host) ? 'localhost' : config.host;
  return `http://${host}:${port}`;
}

export async function startSignoff(
  config: Config,
  clock: Clock,
  log: Logger,
): Promise<{ stop(): Promise<void> }> {
  const appSecret = await resolveAppSecret(config);
  const db = await openDatabase(config, log);
  const stops: (() => Promise<void>)[] = [];
  try {
    await migrate(db.sql, log);

    const demoWanted =
      config.demoData === 'always' ||
      (config.demoData === 'auto' &&
        !config.imap &&
        ((await isDemoSeeded(db.sql)) || (await countUsers(db.sql)) === 0));
    if (demoWanted) await seedDemo(db.sql, appSecret, clock, log);
    // How mail is processed, and what a final approval sends: the worker's and the dashboard's alike.
    const processing = processingOptions(config, appSecret);

    if (config.roles.includes('worker')) {
      const workerLog = log.child({ role: 'worker' });
      const handoff = new RawHandoff();
      const analyzer =
        config.ingest.parseThreads > 0
          ? startParseThreads(config.ingest.parseThreads, workerLog)
          : startUnderstandingThread(workerLog);
      const loop = startProcessingLoop(db.sql, clock, workerLog, { ...processing, handoff, analyzer });
      const mailboxes = startMailboxSupervisor({
        handoff,
        sql: db.sql,
        clock,
        log: workerLog,
        settings: config.ingest,
        appSecret,
        envMailbox: config.imap,
      });
      // While the first connections are made: the first real mail then is not read cold.
      void warmUp(analyzer, processing.limits);
      const sender = createSender(config.outbound);
      const outbox = startOutboxLoop(db.sql, sender, clock, workerLog);
      // Mail stops arriving before processing stops; the outbox finishes the message in hand.
      stops.push(
        () => mailboxes.stop(),
        () => loop.stop().finally(() => analyzer.close()),
        () => outbox.stop().finally(() => sender.close()),
      );
    }
    let url: string | undefined;
    if (config.roles.includes('web')) {
      const server = await listen(
        createApp({ sql: db.sql, clock, config, appSecret, log, inbound: processing.inbound }),
        config,
      );
      stops.unshift(() => closeServer(server));
      url = displayUrl(config, server);
    }
    const lines = [`Signoff is running (${config.roles.join(', ')}; ${db.kind} PostgreSQL).`];
    if (url) lines.push(`Open ${url}`);
    if (demoWanted) lines.push(`Demo login: ${DEMO_LOGIN_EMAIL} / ${demoPassword(appSecret)}`);
    else if ((await countUsers(db.sql)) === 0) {
      lines.push(
        'No users yet: npm run -s cli -- user add --email you@agency.example --name "Your Name" --admin',
      );
    }
    process.stdout.write(`\n  ${lines.join('\n  ')}\n\n`);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }

  return {
    async stop() {
      for (const stop of stops)
        await stop().catch((e) => log.warn({ error: errorMessage(e) }, 'Stop step failed.'));
      await db.close();
    },
  };
}

/** Runs until SIGINT/SIGTERM, then stops every role and the embedded database it started. */
export async function runUntilSignalled(config: Config, clock: Clock): Promise<void> {
  const log = createLogger(config.logLevel);
  let app: { stop(): Promise<void> };
  try {
    app = await startSignoff(config, clock, log);
  } catch (error) {
    log.fatal(
      { code: isAppError(error) ? error.code : undefined, error: errorMessage(error) },
      'Start-up failed.',
    );
    process.stderr.write(`Signoff could not start: ${errorMessage(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn('Second signal: exiting now.');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'Shutting down.');
    app
      .stop()
      .then(() => process.exit(0))
      .catch((error) => {
        log.error({ error: errorMessage(error) }, 'Shutdown failed.');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  await runUntilSignalled(loadConfigOrExit(), systemClock);
}
