import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MALLOC_TUNABLES, withMallocTunables } from '../../src/malloc.js';
import { ROOT } from '../helpers/process.js';

describe('malloc settings', () => {
  it('go ahead of tunables already set, which win, and are not repeated', () => {
    expect(withMallocTunables({ PATH: '/bin' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES: MALLOC_TUNABLES });
    expect(withMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      `${MALLOC_TUNABLES}:glibc.malloc.arena_max=2`,
    );
    const set = { GLIBC_TUNABLES: MALLOC_TUNABLES };
    const again = withMallocTunables(set);
    expect(again).toEqual(set);
    expect(again).not.toBe(set);
  });

  it('are what npm start and the compose services run with', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toContain(`GLIBC_TUNABLES=${MALLOC_TUNABLES}`);
    const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    // The app services and the PostgreSQL service.
    expect(compose.split(`GLIBC_TUNABLES: ${MALLOC_TUNABLES}`)).toHaveLength(3);
  });
});
