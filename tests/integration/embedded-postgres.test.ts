import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maintenanceSql } from '../../src/db/client.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { MALLOC_TUNABLES } from '../../src/malloc.js';
import { quietLog } from '../helpers/db.js';
import { startApp } from '../helpers/process.js';

/** The fallback used when DATABASE_URL is not set: what a newcomer's `npm start` runs on. */
describe('embedded PostgreSQL', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-embedded-'));
    await fs.chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('initialises on a free port, is shared by a second process, and keeps its data across restarts', async () => {
    const dir = await tempDir();
    const first = await startEmbeddedPostgres(dir, quietLog);
    expect(first.owned).toBe(true);
    expect(first.port).not.toBe(5432);
    const second = await startEmbeddedPostgres(dir, quietLog);
    expect(second.owned).toBe(false);
    expect(second.port).toBe(first.port);
    // The server runs with our malloc settings (glibc may shorten the variable in place once read).
    const pid = (await fs.readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0];
    const environ = (await fs.readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const expected = `GLIBC_TUNABLES=${MALLOC_TUNABLES.split(':')[0]}`;
    expect(environ.find((v) => v.startsWith('GLIBC_TUNABLES='))?.slice(0, expected.length)).toBe(expected);

    const sql = maintenanceSql(first.url);
    await sql`create table kept (note text)`;
    await sql`insert into kept values ('survives a restart')`;
    await sql.end();
    await second.stop(); // not the owner: leaves the server running
    const stillUp = maintenanceSql(first.url);
    await expect(stillUp`select 1 as one`).resolves.toEqual([{ one: 1 }]);
    await stillUp.end();

    await first.stop();
    await expect(fs.access(path.join(dir, 'postgres', 'postmaster.pid'))).rejects.toThrow();

    const again = await startEmbeddedPostgres(dir, quietLog);
    expect(again.owned).toBe(true);
    const reread = maintenanceSql(again.url);
    await expect(reread`select note from kept`).resolves.toEqual([{ note: 'survives a restart' }]);
    await reread.end();
    await again.stop();
  });

  it('lets several callers start it at once on a fresh directory', async () => {
    // npm start and a CLI command run at the same moment both create the database; one must not fail.
    const dir = await tempDir();
    const started = await Promise.all([1, 2, 3].map(() => startEmbeddedPostgres(dir, quietLog)));
    expect(started.filter((s) => s.owned)).toHaveLength(1);
    const sql = maintenanceSql(started[0]?.url as string);
    await expect(sql`select current_database() as name`).resolves.toEqual([{ name: 'signoff' }]);
    await sql.end();
    for (const s of started) await s.stop();
  });

  it('npm start with no environment serves the login page and stops its database on SIGTERM', async () => {
    const dir = await tempDir();
    const app = await startApp({ DATA_DIR: dir });
    try {
      expect(app.login?.email).toBe('maya@brightline.example');
      const page = await fetch(`${app.url}/login`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Sign in to Signoff');
      const health = await (await fetch(`${app.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', database: { status: 'up' } });
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
    await expect(fs.access(path.join(dir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
  });
});
