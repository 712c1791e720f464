import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';

/** `classify` reads .eml files and prints one intent per file; it needs no database at all. */

function eml(headers: Record<string, string>, body: string): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body.replace(/\n/g, '\r\n')}`;
}

const BASE = {
  From: 'Nora Lind <nora@fjord-bakery.example>',
  To: 'studio@pixelmill.example',
  Date: 'Tue, 17 Nov 2026 10:04:00 +0100',
};

describe('cli classify', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-classify-'));
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-classify-data-'));
    await fs.mkdir(path.join(dir, 'nested'));
    await fs.writeFile(
      path.join(dir, 'a-approved.eml'),
      eml(
        { ...BASE, Subject: 'Re: [FJORD-4 v3] Bread box label', 'Message-ID': '<a1@fjord-bakery.example>' },
        'Lovely, approved!\n\nNora\n\nOn Mon, 16 Nov 2026 at 09:00, Studio <studio@pixelmill.example> wrote:\n> Reply "approved" to sign off.\n',
      ),
    );
    await fs.writeFile(
      path.join(dir, 'b-quoted-only.eml'),
      eml(
        { ...BASE, Subject: 'Re: [FJORD-4 v3] Approved concepts', 'Message-ID': '<a2@fjord-bakery.example>' },
        'Is this the version the board saw?\n\n> Approved\n',
      ),
    );
    await fs.writeFile(
      path.join(dir, 'c-out-of-office.eml'),
      eml(
        {
          ...BASE,
          Subject: 'Automatic reply: [FJORD-4 v3] Bread box label',
          'Auto-Submitted': 'auto-replied',
          'Message-ID': '<a3@fjord-bakery.example>',
        },
        'I am away until Monday. Approved requests will be handled then.\n',
      ),
    );
    await fs.writeFile(path.join(dir, 'd-broken.eml'), Buffer.from([0, 159, 146, 150, 0, 255, 254, 0]));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not an email, and not an .eml file either');
    await fs.writeFile(
      path.join(dir, 'nested', 'e-feedback.eml'),
      eml(
        { ...BASE, Subject: 'Re: [FJORD-5 v1] Window poster', 'Message-ID': '<a4@fjord-bakery.example>' },
        'Could you make the price a bit bigger and swap the photo for the rye loaf?\n',
      ),
    );
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('prints one JSON line per .eml file, sorted, recursing into directories', async () => {
    const result = await runCli(['classify', '--json', dir, path.join(dir, 'missing.eml')], {
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => path.relative(dir, l.file))).toEqual([
      'a-approved.eml',
      'b-quoted-only.eml',
      'c-out-of-office.eml',
      'd-broken.eml',
      path.join('nested', 'e-feedback.eml'),
      'missing.eml',
    ]);
    const [approved, quoted, automated, broken, feedback, missing] = lines;
    expect(Object.keys(approved)).toEqual([
      'file',
      'intent',
      'confidence',
      'decidingPhrase',
      'visibleText',
      'automated',
    ]);
    expect(approved).toMatchObject({
      intent: 'approval',
      decidingPhrase: 'Lovely, approved!',
      automated: null,
    });
    expect(approved.visibleText).not.toContain('Reply "approved"');
    expect(quoted).toMatchObject({ intent: 'question', automated: null });
    expect(automated).toMatchObject({ intent: 'auto_reply', automated: 'auto_reply' });
    expect(feedback).toMatchObject({ intent: 'feedback' });
    for (const bad of [broken, missing]) {
      expect(Object.keys(bad)).toEqual(['file', 'error']);
      expect(typeof bad.error).toBe('string');
    }
    // No database was needed, so none was started under DATA_DIR.
    expect(await fs.readdir(dataDir)).toEqual([]);
  });

  it('prints a readable line per file without --json', async () => {
    const result = await runCli(['classify', path.join(dir, 'a-approved.eml')], {
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/a-approved\.eml: approval 0\.\d\d "Lovely, approved!"$/);
  });

  it('exits 2 with one line on stderr for wrong arguments', async () => {
    for (const args of [['classify'], ['classify', '--json'], ['classify', '--bogus', dir]]) {
      const result = await runCli(args, { DATABASE_URL: undefined, DATA_DIR: dataDir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^signoff: /);
      expect(result.stdout).toBe('');
    }
    expect(await fs.readdir(dataDir)).toEqual([]);
  });
});
