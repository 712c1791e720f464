import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { understandEmail } from '../../src/classify/understand.js';
import { type ParsedEmail, parseEmail } from '../../src/parse/parse-email.js';
import { EMAIL_FIXTURES, emailFixtureFiles } from '../helpers/fixtures.js';

/**
 * The hand-written client mail in tests/fixtures/emails, checked against manifest.json: parsing,
 * visible text (new text in, quoted history, signatures and disclaimers out), automated-mail
 * detection and intent. One test case per fixture file.
 */

const DIR = EMAIL_FIXTURES;
/** Sample files for `import` (tests/integration/cli.test.ts) are not intent fixtures. */
const fixtureFiles = () => emailFixtureFiles().filter((f) => !f.startsWith('import/'));

const INTENTS = [
  'approval',
  'conditional_approval',
  'rejection',
  'feedback',
  'question',
  'request',
  'auto_reply',
  'bounce',
  'other',
] as const;

interface Fixture {
  file: string;
  client: string;
  language: string;
  intent: (typeof INTENTS)[number];
  automated: string | null;
  visible: { includes: string[]; excludes: string[] };
  note: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Fixture[];

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

async function load(file: string): Promise<ParsedEmail> {
  return parseEmail(fs.readFileSync(path.join(DIR, file)));
}

describe('email fixtures: manifest', () => {
  it('lists every .eml file exactly once, and there are at least 150', () => {
    const listed = manifest.map((f) => f.file);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(fixtureFiles());
    expect(listed.length).toBeGreaterThanOrEqual(150);
  });

  it('has well-formed entries', () => {
    for (const f of manifest) {
      expect(INTENTS, f.file).toContain(f.intent);
      expect(f.automated === null || typeof f.automated === 'string', f.file).toBe(true);
      expect(f.visible.includes.length + f.visible.excludes.length, f.file).toBeGreaterThan(0);
      expect(f.note.length, f.file).toBeGreaterThan(0);
    }
  });
});

describe('email fixtures: parse', () => {
  it.each(manifest.map((f) => [f.file] as const))('%s parses', async (file) => {
    const email = await load(file);
    expect(email.messageId).not.toBeNull();
    expect(email.from).not.toBeNull();
    expect(email.date).not.toBeNull();
    expect(email.subject).not.toBe('');
  });
});

describe('email fixtures: visible text, automated mail and intent', () => {
  it.each(manifest.map((f) => [f.file, f] as const))('%s', async (_file, fixture) => {
    const email = await load(fixture.file);
    // Exactly what ingestion and the classify command compute.
    const { reply, automated, intent: result } = understandEmail(email);
    const visible = collapse(reply.visible);

    for (const phrase of fixture.visible.includes) {
      expect(visible, `visible text should include "${phrase}"`).toContain(collapse(phrase));
    }
    for (const phrase of fixture.visible.excludes) {
      expect(visible, `visible text should not include "${phrase}"`).not.toContain(collapse(phrase));
    }
    expect(automated?.kind ?? null, 'automated kind').toBe(fixture.automated);
    expect(result.intent, `intent (deciding phrase: ${result.decidingPhrase ?? 'none'})`).toBe(
      fixture.intent,
    );
  });
});
