import { describe, expect, it } from 'vitest';
import { formatConfigProblems, parseConfig } from '../../src/config.js';

describe('config', () => {
  it('starts with no environment at all', () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(3000);
    expect(result.config.host).toBe('127.0.0.1');
    expect(result.config.databaseUrl).toBeUndefined();
    expect(result.config.roles).toEqual(['web', 'worker', 'scheduler']);
    expect(result.config.dataDir).toBe('.data');
  });

  it('reads on the main thread unless PARSE_THREADS asks for threads', () => {
    const none = parseConfig({});
    expect(none.ok && none.config.ingest.parseThreads).toBe(0);
    const result = parseConfig({ PARSE_THREADS: '2' });
    expect(result.ok && result.config.ingest.parseThreads).toBe(2);
    expect(parseConfig({ PARSE_THREADS: '-1' }).ok).toBe(false);
  });

  it('names PORT when it is not a number', () => {
    const result = parseConfig({ PORT: 'abc' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ variable: 'PORT', message: expect.stringContaining('whole number') }]);
    expect(formatConfigProblems(result.problems)).toContain(
      'PORT: must be a whole number between 0 and 65535 (got "abc")',
    );
  });

  it('reports every problem at once, by variable name', () => {
    const result = parseConfig({ PORT: '70000', LOG_LEVEL: 'loud', ROLES: 'web,cron', DEMO_DATA: 'maybe' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.variable).sort()).toEqual([
      'DEMO_DATA',
      'LOG_LEVEL',
      'PORT',
      'ROLES',
    ]);
  });

  it('rejects a malformed DATABASE_URL without echoing it', () => {
    for (const bad of ['localhost:5432/db', 'mysql://u:secretpw@h/db', 'postgres://']) {
      const result = parseConfig({ DATABASE_URL: bad });
      expect(result.ok, bad).toBe(false);
      if (result.ok) continue;
      expect(result.problems[0]?.variable).toBe('DATABASE_URL');
      expect(formatConfigProblems(result.problems)).not.toContain('secretpw');
    }
    expect(parseConfig({ DATABASE_URL: 'postgresql://u:p@db.internal:5432/signoff' }).ok).toBe(true);
  });

  it('requires a long APP_SECRET, and one at all in production', () => {
    const short = parseConfig({ APP_SECRET: 'tooshort' });
    expect(short.ok).toBe(false);
    if (!short.ok) expect(formatConfigProblems(short.problems)).not.toContain('tooshort');
    const production = parseConfig({ NODE_ENV: 'production' });
    expect(production.ok).toBe(false);
    if (!production.ok) expect(production.problems[0]?.variable).toBe('APP_SECRET');
    expect(parseConfig({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32) }).ok).toBe(true);
  });

  it('parses roles and booleans, and treats empty values as unset', () => {
    const result = parseConfig({ ROLES: ' worker , WEB,worker', TRUST_PROXY: 'yes', PORT: '' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.roles).toEqual(['worker', 'web']);
    expect(result.config.trustProxy).toBe(true);
    expect(result.config.port).toBe(3000);
    expect(parseConfig({ TRUST_PROXY: 'perhaps' }).ok).toBe(false);
  });
});
