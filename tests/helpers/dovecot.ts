import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireRealServices } from './services.js';

/**
 * A private Dovecot IMAP server for integration tests: its own config, users, maildirs, sockets and
 * log in a temp directory, listening on a free port on 127.0.0.1. Nothing here installs Dovecot or
 * touches the machine's own Dovecot (/etc/dovecot, /run/dovecot).
 *
 * Suites use it like this:
 *
 *   describe.skipIf(skipWithoutDovecot())('...', () => {
 *     let dovecot: Dovecot;
 *     beforeAll(async () => { dovecot = await startDovecot(); });
 *     afterAll(async () => { await dovecot?.stop(); });
 *   });
 *
 * Without the binary a developer's run skips such suites, but CI (or SIGNOFF_REQUIRE_ALL_SUITES=1)
 * does not skip: startDovecot() then throws DOVECOT_MISSING, so the suite fails instead of going
 * green while testing nothing.
 */

export const DOVECOT_MISSING = 'dovecot not installed: apt-get install dovecot-imapd';

const START_TIMEOUT_MS = 20_000;
// Dovecot refuses to run mail processes as root ("userdb returned 0 as uid"), so under root the
// mailboxes belong to the conventional unprivileged nobody/nogroup ids, present on Debian and Ubuntu.
const NOBODY_ID = 65_534;
const DIR_PREFIX = 'signoff-dovecot-';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  readonly host: string;
  readonly port: number;
  /** What `dovecot --version` reported, e.g. "2.3.19.1". */
  readonly version: string;
  /** The temp dir holding config, users, maildirs and log; removed by stop(). */
  readonly dir: string;
  /** Creates a fresh account, usable immediately without reloading Dovecot. */
  addUser(prefix?: string): Promise<DovecotUser>;
  /** Where a user's maildir lives on disk, for tests that need to look behind the server's back. */
  maildir(user: string): string;
  /** The last lines of Dovecot's log, for assertion messages. */
  logTail(lines?: number): string;
  /** SIGKILLs Dovecot and every process it forked, like a crash; the data stays. */
  kill(): void;
  /** kill(), then starts again on the same port with the same users and maildirs. */
  restart(): Promise<void>;
  /** Kills Dovecot and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** The Dovecot binary, or null when it is not installed. */
export function dovecotBinary(): string | null {
  const dirs = ['/usr/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(path.delimiter)];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'dovecot');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** For `describe.skipIf(...)`: skip only when Dovecot is missing and the run does not require it. */
export function skipWithoutDovecot(): boolean {
  return !requireRealServices && dovecotBinary() === null;
}

interface Layout {
  dir: string;
  config: string;
  log: string;
  run: string;
  users: string;
  home: string;
}

interface Identity {
  /** Owner of the mailboxes (the mail processes run as this uid/gid). */
  mailUid: number;
  mailGid: number;
  /** Set when not running as root: every service must then run as the current user, unchrooted. */
  rootlessUser: string | null;
  /** The current user's primary group name (Dovecot wants a name, not a gid, for its sockets). */
  rootlessGroup: string | null;
}

function identity(): Identity {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return { mailUid: NOBODY_ID, mailGid: NOBODY_ID, rootlessUser: null, rootlessGroup: null };
  const info = os.userInfo();
  // `id -gn` asks NSS, so it also works for groups that are not in /etc/group.
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { mailUid: info.uid, mailGid: info.gid, rootlessUser: info.username, rootlessGroup: group };
}

function readVersion(binary: string): string {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const version = /^\d+\.\d+(\.\d+)*/.exec(out)?.[0];
  if (!version) throw new Error(`cannot parse \`${binary} --version\` output: ${out}`);
  return version;
}

function isAtLeast24(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 4);
}

// Per-user passwd files, not one shared file: Dovecot's passwd-file driver stats a file at most once
// per second, so a user appended to a shared file right after another login in the same second would
// be "unknown" until the next second. A file that did not exist before is always read fresh.
function config23(layout: Layout, id: Identity, port: number): string {
  const rootless = id.rootlessUser
    ? `default_internal_user = ${id.rootlessUser}
default_login_user = ${id.rootlessUser}
default_internal_group = ${id.rootlessGroup}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service ipc {
  chroot =
}
service old-stats {
  chroot =
}
service auth-worker {
  user = ${id.rootlessUser}
}`
    : `default_internal_user = dovecot
default_login_user = dovenull`;
  return `# Generated by tests/helpers/dovecot.ts (Dovecot 2.3 syntax); everything lives in ${layout.dir}.
listen = 127.0.0.1
protocols = imap
base_dir = ${layout.run}
state_dir = ${layout.dir}/state
log_path = ${layout.log}
info_log_path = ${layout.log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# A failed login would otherwise take 2 s to answer (2.4 also skips the auth penalty with this).
auth_failure_delay = 0
${rootless}
first_valid_uid = ${id.mailUid}
last_valid_uid = ${id.mailUid}
first_valid_gid = ${id.mailGid}
last_valid_gid = ${id.mailGid}
mail_location = maildir:~/Maildir
mail_max_userip_connections = 100
# Only a kernel crash could lose unsynced mail; a SIGKILLed Dovecot cannot, and tests run faster.
mail_fsync = never

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${layout.users}/%u
}
userdb {
  driver = static
  args = uid=${id.mailUid} gid=${id.mailGid} home=${layout.home}/%u
}

service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}

${namespace()}
`;
}

// Dovecot 2.4 renamed most of the settings above and requires the version header first.
function config24(layout: Layout, id: Identity, port: number): string {
  const rootless = id.rootlessUser
    ? `default_internal_user = ${id.rootlessUser}
default_login_user = ${id.rootlessUser}
default_internal_group = ${id.rootlessGroup}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service auth-worker {
  user = ${id.rootlessUser}
}`
    : `default_internal_user = dovecot
default_login_user = dovenull`;
  return `dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
# Generated by tests/helpers/dovecot.ts (Dovecot 2.4 syntax); everything lives in ${layout.dir}.
listen = 127.0.0.1
protocols = imap
base_dir = ${layout.run}
state_dir = ${layout.dir}/state
log_path = ${layout.log}
info_log_path = ${layout.log}
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_verbose = yes
# A failed login would otherwise take 2 s to answer (2.4 also skips the auth penalty with this).
auth_failure_delay = 0
${rootless}
first_valid_uid = ${id.mailUid}
last_valid_uid = ${id.mailUid}
first_valid_gid = ${id.mailGid}
last_valid_gid = ${id.mailGid}
mail_driver = maildir
mail_path = ~/Maildir
mail_max_userip_connections = 100
mail_fsync = never

passdb passwd-file {
  passwd_file_path = ${layout.users}/%{user}
}
userdb static {
  fields {
    uid = ${id.mailUid}
    gid = ${id.mailGid}
    home = ${layout.home}/%{user}
  }
}

service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}

${namespace()}
`;
}

// Every account gets the usual special-use folders, so sync code can find \Sent the way it would on
// a real provider.
function namespace(): string {
  const folders = [
    ['Sent', '\\Sent'],
    ['Drafts', '\\Drafts'],
    ['Trash', '\\Trash'],
    ['Junk', '\\Junk'],
  ];
  const blocks = folders.map(
    ([name, use]) => `  mailbox ${name} {\n    special_use = ${use}\n    auto = subscribe\n  }`,
  );
  return `namespace inbox {\n  inbox = yes\n${blocks.join('\n')}\n}`;
}

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Connects once and resolves true when the server greets with `* OK`. */
function greets(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let buffer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (buffer.includes('\n')) done(buffer.startsWith('* OK'));
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Every process below `root`, read from /proc. Dovecot's services are forked by the master and
 * outlive it by seconds (the login process keeps the listening socket, so the port stays taken);
 * they have to be found while the master is still their parent.
 */
function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return []; // not Linux: the children notice the dead master on their own
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name (which may itself contain spaces): state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGKILLs the master and everything it forked. Synchronous, so it also works in an exit handler. */
function killTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  // Frozen, the master cannot fork anything new between the /proc scan and the kill.
  signal(pid, 'SIGSTOP');
  const pids = descendants(pid);
  signal(pid, 'SIGKILL');
  for (const p of pids) signal(p, 'SIGKILL');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what an earlier test process left behind when it died without running its exit handler
 * (SIGKILL, a crashed worker): its Dovecot would otherwise keep running and its temp dir stay.
 */
function sweepStale(): void {
  const tmp = os.tmpdir();
  let names: string[];
  try {
    names = fs.readdirSync(tmp).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(tmp, name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (!owner || pidAlive(owner)) continue;
    try {
      const master = Number(fs.readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8'));
      // Only signal the pid if it still is this directory's Dovecot and not a recycled pid; SIGTERM
      // lets the master take its children down with it.
      if (master && fs.readFileSync(`/proc/${master}/cmdline`, 'utf8').includes(dir))
        signal(master, 'SIGTERM');
    } catch {
      // no master.pid or no /proc: nothing to kill
    }
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // another user's leftovers: not ours to remove
    }
  }
}

interface Running {
  child: ChildProcess;
  dir: string;
}

// Kept on globalThis: a test runner may load this module once per test file in the same process, and
// one registry with one exit handler is enough.
const REGISTRY = Symbol.for('signoff.tests.dovecot');
const registry = globalThis as typeof globalThis & { [REGISTRY]?: Set<Running> };

function runningSet(): Set<Running> {
  const existing = registry[REGISTRY];
  if (existing) return existing;
  const running = new Set<Running>();
  registry[REGISTRY] = running;
  // A test process that ends without stop() (a failed hook, process.exit) must not leave Dovecot behind.
  process.on('exit', () => {
    for (const entry of running) {
      killTree(entry.child);
      try {
        fs.rmSync(entry.dir, { recursive: true, force: true });
      } catch {
        // best effort while exiting
      }
    }
  });
  return running;
}

async function makeLayout(rootless: boolean, mailUid: number, mailGid: number): Promise<Layout> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), DIR_PREFIX));
  if (/\s/.test(dir)) throw new Error(`Dovecot config cannot hold a temp dir with spaces: ${dir}`);
  const layout: Layout = {
    dir,
    config: path.join(dir, 'dovecot.conf'),
    log: path.join(dir, 'dovecot.log'),
    run: path.join(dir, 'run'),
    users: path.join(dir, 'users'),
    home: path.join(dir, 'home'),
  };
  await fsp.writeFile(path.join(dir, 'owner.pid'), String(process.pid));
  for (const sub of [layout.run, layout.users, layout.home, path.join(dir, 'state')]) {
    await fsp.mkdir(sub);
  }
  // mkdtemp makes 0700; the auth process (user dovecot) must reach the passwd files and the mail
  // processes their homes, so everything on the way is world-traversable.
  for (const sub of [dir, layout.run, layout.users, layout.home, path.join(dir, 'state')]) {
    await fsp.chmod(sub, 0o755);
  }
  // Dovecot creates each home as the mail user, who therefore needs to own the parent.
  if (!rootless) await fsp.chown(layout.home, mailUid, mailGid);
  return layout;
}

/** Starts a private Dovecot; resolves once it has sent its IMAP greeting. */
export async function startDovecot(): Promise<Dovecot> {
  const binary = dovecotBinary();
  if (!binary) throw new Error(DOVECOT_MISSING);
  const version = readVersion(binary);
  const id = identity();
  sweepStale();
  const running = runningSet();
  const layout = await makeLayout(id.rootlessUser !== null, id.mailUid, id.mailGid);
  const render = isAtLeast24(version) ? config24 : config23;
  // Dovecot 2.3 makes every login after a failed one from the same IP wait 2-15 s (the auth
  // penalty), and auth_failure_delay = 0 does not switch that off before 2.4. The auth process skips
  // the penalty silently when it finds no anvil-auth-penalty socket, so the harness removes that
  // socket file once the master has created it; one test trying a wrong password then no longer
  // slows every later login in the run.
  const disablePenalty = !isAtLeast24(version);
  const penaltySocket = path.join(layout.run, 'anvil-auth-penalty');

  let port = 0;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  let entry: Running | null = null;

  const describeFailure = (what: string) =>
    `${what}\n--- dovecot ${version} log (${layout.log}) ---\n${tail(readLog(layout.log), 30)}` +
    (stderr.trim() ? `\n--- stderr ---\n${tail(stderr, 15)}` : '');

  /** Spawns `dovecot -F` on `port`; resolves on the greeting, rejects if it exits or times out. */
  const launch = async (): Promise<void> => {
    await fsp.writeFile(layout.config, render(layout, id, port), { mode: 0o644 });
    // A pid left by a SIGKILLed master could, if recycled, make Dovecot think it is still running.
    await fsp.rm(path.join(layout.run, 'master.pid'), { force: true });
    stderr = '';
    const proc = spawn(binary, ['-F', '-c', layout.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    if (entry) running.delete(entry);
    entry = { child: proc, dir: layout.dir };
    running.add(entry);
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8_000);
    });
    let hasExited = false;
    exited = new Promise<void>((resolve) => {
      const done = () => {
        hasExited = true;
        resolve();
      };
      proc.once('exit', done);
      // A failed spawn emits no 'exit'.
      proc.once('error', (err) => {
        stderr += `\nspawn failed: ${err.message}`;
        done();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    let penaltyDisabled = !disablePenalty;
    while (Date.now() < deadline) {
      if (hasExited) throw new Error(describeFailure(`dovecot exited during start-up on port ${port}`));
      if (!penaltyDisabled) {
        // Must happen before the first connection: that spawns the auth process, which connects to
        // the socket once, at start-up.
        penaltyDisabled = await fsp.unlink(penaltySocket).then(
          () => true,
          () => false,
        );
        if (!penaltyDisabled) {
          await sleep(5);
          continue;
        }
      }
      if (await greets(port, Math.max(100, deadline - Date.now()))) return;
      await sleep(15);
    }
    killTree(proc);
    throw new Error(
      describeFailure(`dovecot did not greet on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`),
    );
  };

  const kill = () => {
    if (child) killTree(child);
  };

  const cleanup = async () => {
    kill();
    await exited;
    if (entry) running.delete(entry);
    await fsp.rm(layout.dir, { recursive: true, force: true });
  };

  // The free port can be taken between probing and Dovecot binding it; pick another one then.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const logSize = readLog(layout.log).length;
    try {
      await launch();
      break;
    } catch (err) {
      await exited;
      const inUse = readLog(layout.log).slice(logSize).includes('Address already in use');
      if (!inUse || attempt >= 3) {
        await cleanup();
        throw err;
      }
    }
  }

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    version,
    dir: layout.dir,
    async addUser(prefix = 'user') {
      if (stopped) throw new Error('dovecot already stopped');
      if (!/^[a-z0-9][a-z0-9._-]*$/i.test(prefix)) throw new Error(`unusable user prefix: ${prefix}`);
      const user = `${prefix}-${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      const file = path.join(layout.users, user);
      // 'wx': never overwrite an account; 0644 so the auth process (another uid) can read it.
      await fsp.writeFile(file, `${user}:{PLAIN}${password}\n`, { flag: 'wx', mode: 0o644 });
      await fsp.chmod(file, 0o644);
      return { user, password };
    },
    maildir(user) {
      return path.join(layout.home, user, 'Maildir');
    },
    logTail(lines = 30) {
      return tail(readLog(layout.log), lines);
    },
    kill,
    async restart() {
      if (stopped) throw new Error('dovecot already stopped');
      kill();
      await exited;
      // Killing the whole tree frees the port at once; the wait only covers a slow kernel.
      const deadline = Date.now() + 5_000;
      while (!(await portIsFree(port))) {
        if (Date.now() > deadline) throw new Error(describeFailure(`port ${port} still in use after kill`));
        await sleep(25);
      }
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
  };
}
