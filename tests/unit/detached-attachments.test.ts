import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETACHABLE_MIN_BYTES, inspectStructure } from '../../src/parse/inspect.js';
import { parseDetached, parseEmail } from '../../src/parse/parse-email.js';
import { EMAIL_FIXTURES, emailFixtureFiles } from '../helpers/fixtures.js';
import { malformedCases } from '../helpers/malformed.js';

/**
 * Plain base64 attachment bodies are decoded by us, not by mailparser (see parseDetached). Whatever
 * the message, the result must be exactly what parsing it whole gives.
 */

const LIMITS = { maxBytes: 50 * 1024 * 1024, timeoutMs: 30_000 };

/** Deterministic bytes that do not compress into a pattern: sha256 in counter mode. */
function content(size: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++)
    blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function wrapAt(base64: string, width: number, eol = '\r\n'): string {
  return (base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol);
}

function base64Lines(bytes: Buffer, eol: string, width = 76): string {
  return wrapAt(bytes.toString('base64'), width, eol);
}

interface Part {
  headers: string[];
  body: string;
}

function attachment(type: string, bytes: Buffer, eol: string, extra: string[] = []): Part {
  return {
    headers: [`Content-Type: ${type}`, 'Content-Transfer-Encoding: base64', ...extra],
    body: base64Lines(bytes, eol),
  };
}

function multipart(type: string, boundary: string, parts: Part[], eol = '\r\n'): Part {
  const body = parts.map((p) => `--${boundary}${eol}${[...p.headers, '', p.body].join(eol)}${eol}`).join('');
  return { headers: [`Content-Type: ${type}; boundary="${boundary}"`], body: `${body}--${boundary}--${eol}` };
}

function message(root: Part, eol = '\r\n'): Buffer {
  const head = [
    'From: Mara Lind <mara@orchard-foods.example>',
    'To: studio@studio.example',
    'Subject: Files for the spring campaign',
    'Date: Mon, 16 Nov 2026 09:00:00 +0000',
    'Message-ID: <files-1@orchard-foods.example>',
    'MIME-Version: 1.0',
  ];
  return Buffer.from([...head, ...root.headers, '', root.body].join(eol), 'latin1');
}

const text = (body: string): Part => ({ headers: ['Content-Type: text/plain; charset=utf-8'], body });

async function bothWays(bytes: Buffer) {
  const { base64Bodies } = inspectStructure(bytes);
  const [detached, whole] = await Promise.all([
    parseEmail(bytes, LIMITS, base64Bodies),
    parseEmail(bytes, LIMITS),
  ]);
  expect(detached).toEqual(whole);
  expect(JSON.stringify([detached.text, detached.html])).not.toContain('signoff-detached');
  return { base64Bodies, email: detached };
}

describe('attachments decoded without the MIME parser', () => {
  it('reads names, types, sizes and hashes exactly as parsing the whole message does', async () => {
    const pdf = content(300_000, 'pdf');
    const logo = content(50_001, 'logo');
    const icon = content(900, 'icon');
    const eol = '\r\n';
    const bytes = message(
      multipart('multipart/mixed', 'outer', [
        multipart('multipart/related', 'inner', [
          {
            headers: ['Content-Type: text/html; charset=utf-8'],
            body: '<p>See the proof <img src="cid:logo"></p>',
          },
          attachment('image/png', logo, eol, ['Content-ID: <logo>', 'Content-Disposition: inline']),
        ]),
        attachment('application/pdf; name="Proof v2.pdf"', pdf, eol, [
          'Content-Disposition: attachment; filename="Proof v2.pdf"',
        ]),
        attachment('image/x-icon', icon, eol, ['Content-Disposition: attachment; filename="icon.ico"']),
      ]),
    );
    const { base64Bodies, email } = await bothWays(bytes);
    expect(base64Bodies).toHaveLength(2); // the icon is under DETACHABLE_MIN_BYTES
    expect(icon.toString('base64').length).toBeLessThan(DETACHABLE_MIN_BYTES);
    expect(await parseDetached(bytes, base64Bodies)).not.toBeNull();
    expect(email.html).toContain('See the proof');
    expect(email.attachments.map((a) => [a.filename, a.contentType, a.size, a.sha256, a.inline])).toEqual([
      [null, 'image/png', logo.length, sha256(logo), true],
      ['Proof v2.pdf', 'application/pdf', pdf.length, sha256(pdf), false],
      ['icon.ico', 'image/x-icon', icon.length, sha256(icon), false],
    ]);
  });

  it.each([
    ['CRLF lines, no padding', '\r\n', 30_000],
    ['CRLF lines, one padding character', '\r\n', 30_001],
    ['CRLF lines, two padding characters', '\r\n', 30_002],
    ['LF lines', '\n', 30_001],
    ['CRLF lines over several chunks', '\r\n', 200_002],
    ['LF lines over several chunks', '\n', 200_001],
  ])('decodes alike with %s', async (_name, eol, size) => {
    const zip = content(size, `zip${size}`);
    const bytes = message(
      multipart(
        'multipart/mixed',
        'b',
        [
          text('The archive.'),
          attachment('application/zip', zip, eol, ['Content-Disposition: attachment; filename="a.zip"']),
        ],
        eol,
      ),
      eol,
    );
    const { base64Bodies, email } = await bothWays(bytes);
    expect(base64Bodies).toHaveLength(1);
    expect(email.attachments[0]).toMatchObject({ size: zip.length, sha256: sha256(zip) });
  });

  // Bodies are read in chunks of whole lines when every line has the first one's width; any other
  // shape is read whole from where it starts. Either way the result is what the parser gives.
  it.each([
    ['lines of 64', (b64: string) => wrapAt(b64, 64)],
    ['lines of 73 (not a multiple of 4)', (b64: string) => wrapAt(b64, 73)],
    ['one long line', (b64: string) => b64],
    [
      'a short line after the first chunk',
      (b64: string) => {
        const lines = wrapAt(b64, 76).split('\r\n');
        lines.splice(1200, 1, lines[1200]?.slice(0, 40) ?? '', lines[1200]?.slice(40) ?? '');
        return lines.join('\r\n');
      },
    ],
  ])('decodes alike with %s', async (_name, shape) => {
    const data = content(150_000, 'shape');
    const part = {
      ...attachment('application/octet-stream', data, '\r\n'),
      body: shape(data.toString('base64')),
    };
    const { base64Bodies, email } = await bothWays(
      message(multipart('multipart/mixed', 'b', [text('Hi'), part])),
    );
    expect(base64Bodies).toHaveLength(1);
    expect(email.attachments[0]).toMatchObject({ size: data.length, sha256: sha256(data) });
  });

  it('flags a character outside base64 after the first chunk', () => {
    const data = content(150_000, 'bad');
    const lines = wrapAt(data.toString('base64'), 76).split('\r\n');
    lines[1500] = `${lines[1500]?.slice(0, 10)}*${lines[1500]?.slice(11)}`;
    const part = { ...attachment('application/octet-stream', data, '\r\n'), body: lines.join('\r\n') };
    const inspection = inspectStructure(message(multipart('multipart/mixed', 'b', [text('Hi'), part])));
    expect(inspection.flags).toContain('invalid_base64');
    expect(inspection.base64Bodies).toEqual([]);
  });

  it('decodes no body with any byte other than the alphabet and line breaks inside a line, the URL-safe "-" and "_" too', () => {
    const data = content(150_000, 'every-byte');
    const lines = wrapAt(data.toString('base64'), 76).split('\r\n');
    const plain = /[A-Za-z0-9+/\r\n]/;
    for (let byte = 0; byte < 256; byte++) {
      const c = String.fromCharCode(byte);
      if (plain.test(c)) continue;
      const changed = [...lines];
      changed[1500] = `${lines[1500]?.slice(0, 30)}${c}${lines[1500]?.slice(31)}`;
      const part = { ...attachment('application/octet-stream', data, '\r\n'), body: changed.join('\r\n') };
      const bytes = message(multipart('multipart/mixed', 'b', [text('Hi'), part]));
      expect(inspectStructure(bytes).base64Bodies, `byte 0x${byte.toString(16)}`).toEqual([]);
    }
  });

  it('detaches the body of a message that is one attachment', async () => {
    const pdf = content(20_000, 'single');
    const { base64Bodies, email } = await bothWays(
      message(
        attachment('application/pdf', pdf, '\r\n', ['Content-Disposition: attachment; filename="x.pdf"']),
      ),
    );
    expect(base64Bodies).toHaveLength(1);
    expect(email.attachments[0]).toMatchObject({ filename: 'x.pdf', size: pdf.length, sha256: sha256(pdf) });
  });

  it('leaves base64 with spaces, inner padding or a text type to the parser', async () => {
    const data = content(12_000, 'odd');
    const spaced = {
      ...attachment('application/octet-stream', data, '\r\n'),
      body: base64Lines(data, ' \r\n'),
    };
    const b64 = data.toString('base64');
    const innerPadding = {
      ...attachment('application/octet-stream', data, '\r\n'),
      body: `${b64}\r\nQQ==\r\n${b64}`,
    };
    const textual = attachment('text/csv; charset=utf-8', data, '\r\n', ['Content-Disposition: attachment']);
    for (const part of [spaced, innerPadding, textual]) {
      const { base64Bodies } = await bothWays(message(multipart('multipart/mixed', 'b', [text('Hi'), part])));
      expect(base64Bodies).toEqual([]);
    }
  });

  it('parses the whole message when a detached body does not come back as an attachment', async () => {
    const words = Buffer.from('Please move the logo to the left. '.repeat(400));
    const bytes = message(
      multipart('multipart/mixed', 'b', [
        {
          headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
          body: base64Lines(words, '\r\n'),
        },
      ]),
    );
    const start = bytes.indexOf('UGxl'); // the body, as if inspectStructure had called it an attachment
    const end = bytes.lastIndexOf('\r\n--b--');
    const range = [{ start, end, size: 0, sha256: '' }];
    expect(await parseDetached(bytes, range)).toBeNull();
    expect(await parseEmail(bytes, LIMITS, range)).toEqual(await parseEmail(bytes, LIMITS));
  });

  it('is not fooled by an attachment that looks like one of its markers', async () => {
    const decoy = Buffer.from('signoff-detached-000000000000000000000000-0');
    const data = content(10_000, 'real');
    const { base64Bodies, email } = await bothWays(
      message(
        multipart('multipart/mixed', 'b', [
          attachment('application/octet-stream', decoy, '\r\n'),
          attachment('application/octet-stream', data, '\r\n'),
        ]),
      ),
    );
    expect(base64Bodies).toHaveLength(1);
    expect(email.attachments.map((a) => a.sha256)).toEqual([sha256(decoy), sha256(data)]);
  });

  it.each(emailFixtureFiles())('fixture %s reads the same', async (file) => {
    await bothWays(fs.readFileSync(path.join(EMAIL_FIXTURES, file)));
  });

  // Except the one nested too deep: that one is never given to the parser.
  const damaged = malformedCases({ hugeBytes: 2 * 1024 * 1024 }).filter(
    (c) => !inspectStructure(c.bytes).flags.includes('deep_nesting'),
  );
  it.each(damaged.map((c) => [c.name, c.bytes] as const))(
    'damaged message "%s" reads the same',
    async (_name, bytes) => {
      await bothWays(bytes);
    },
  );
});
