import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createLogger } from '../../src/log.js';
import { buildApp } from './process.js';

/**
 * The app is built once (suites that start it run `dist/main.js`, as `npm start` does), and one
 * PostgreSQL server serves the run: TEST_DATABASE_URL when set (CI points it at the machine's
 * PostgreSQL), otherwise the embedded one in a temp directory. Each suite then creates its own
 * fresh database on it and drops it afterwards (tests/helpers/db.ts).
 */
export default async function setup(project: TestProject) {
  buildApp();
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = path.join(os.tmpdir(), `signoff-test-postgres-${uid}`);
  const embedded = await startEmbeddedPostgres(dir, createLogger('warn'));
  project.provide('adminDatabaseUrl', embedded.adminUrl);
  return async () => {
    await embedded.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
