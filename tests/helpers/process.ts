import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withMallocTunables } from '../../src/malloc.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How `npm start` runs the app once `npm run build` has bundled it: node's arguments, from ROOT, with
 * the environment of `childEnv`.
 */
export const MAIN_ARGS = ['--enable-source-maps', 'dist/main.js'];

/** `npm run build`: what `npm start` does first. Tests and benchmarks run the build, as users do. */
export function buildApp(): void {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * State letter, CPU seconds (user + system) and nice value from a /proc/.../stat file (Linux), or null
 * if it is gone.
 */
export function readStat(file: string): { state: string; cpu: number; comm: string; nice: number } | null {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    // Fields after "pid (comm) ": state is field 3, utime 14, stime 15, nice 19.
    const fields = stat.slice(close + 2).split(' ');
    return {
      state: fields[0] ?? '?',
      cpu: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(),
      comm,
      nice: Number(fields[16]),
    };
  } catch {
    return null;
  }
}

/**
 * The environment a child gets: the caller's with the malloc settings `npm start` sets, minus anything
 * that would point it at another database.
 */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = withMallocTunables(process.env);
  for (const key of [
    'DATABASE_URL',
    'PORT',
    'HOST',
    'DATA_DIR',
    'APP_SECRET',
    'LOG_LEVEL',
    'ROLES',
    'DEMO_DATA',
    'INBOX_ADDRESS',
    'MAIL_FROM',
    'OUTBOX_DIR',
    'SMTP_HOST',
    'SMTP_PORT',
    'SMTP_USER',
    'SMTP_PASSWORD',
    'TRUSTED_AUTHSERV_IDS',
    'VERIFY_SENDER_DNS',
  ]) {
    delete env[key];
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run -s cli -- <args>` the way an operator does (node + tsx, without npm's overhead). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface StartedApp {
  child: ChildProcess;
  url: string;
  login: { email: string; password: string } | null;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built app the way `npm start` runs it and waits for its start-up banner. */
export function startApp(env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<StartedApp> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, MAIN_ARGS, {
      cwd: ROOT,
      env: childEnv({ PORT: '0', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start-up timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      const url = /Open (http:\/\/\S+)/.exec(stdout)?.[1];
      if (!url) return;
      clearTimeout(timer);
      const login = /Demo login: (\S+) \/ (\S+)/.exec(stdout);
      resolve({
        child,
        url,
        login: login ? { email: login[1] as string, password: login[2] as string } : null,
        output: () => stdout + stderr,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      check();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before start-up finished\n${stdout}\n${stderr}`));
    });
  });
}

/** Starts the built app as a worker-only process (no web server, so no banner to wait for). */
export function spawnWorker(
  env: Record<string, string | undefined>,
): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, MAIN_ARGS, {
    cwd: ROOT,
    env: childEnv({ ROLES: 'worker', DEMO_DATA: 'never', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return Object.assign(child, { output: () => output });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
