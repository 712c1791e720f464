import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { demoPassword, seedDemo } from '../../src/demo/seed.js';
import { createApp } from '../../src/web/app.js';
import type { TestDatabase } from './db.js';
import { quietLog } from './db.js';

export const TEST_APP_SECRET = 'test-secret-test-secret-test-secret-0123';

/** The web app in this process on a free port, over a test database seeded with the demo agency. */
export async function startDemoWeb(
  db: TestDatabase,
): Promise<{ url: string; password: string; close(): Promise<void> }> {
  const parsed = parseConfig({ APP_SECRET: TEST_APP_SECRET, LOG_LEVEL: 'silent' });
  if (!parsed.ok) throw new Error('test config is invalid');
  await seedDemo(db.sql, TEST_APP_SECRET, systemClock, quietLog);
  const app = createApp({
    sql: db.sql,
    clock: systemClock,
    config: parsed.config,
    appSecret: TEST_APP_SECRET,
    log: quietLog,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    password: demoPassword(TEST_APP_SECRET),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
