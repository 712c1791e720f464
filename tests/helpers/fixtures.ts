import fs from 'node:fs';
import path from 'node:path';

/** The hand-written mail of tests/fixtures/emails. */
export const EMAIL_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/emails');

/** Every .eml file under EMAIL_FIXTURES, as paths relative to it, sorted. */
export function emailFixtureFiles(): string[] {
  return fs
    .readdirSync(EMAIL_FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}
