import { describe, expect, it } from 'vitest';
import { inspectStructure } from '../../src/parse/inspect.js';
import { readMessage } from '../../src/parse/read-message.js';
import { malformedCases } from '../helpers/malformed.js';

// A 2 MB "huge" attachment and a 1 MB limit stand in for 50 MB and 50 MB here; the Dovecot suite
// uses the real sizes.
const LIMITS = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };
const CASES = malformedCases({ hugeBytes: 2 * 1024 * 1024 });

describe('damaged messages are read as far as is safe, and flagged', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const read = await readMessage(c.bytes, LIMITS);
    expect(read.flags).toEqual(expect.arrayContaining(c.flags));
    expect(read.email.from?.address).toBe('broken@orchard-foods.example');
    expect(read.email.subject).not.toBe('');
  });

  it('keeps what the parser could read from a damaged body', async () => {
    const unclosed = CASES.find((c) => c.name === 'unclosed multipart');
    const read = await readMessage(unclosed?.bytes ?? Buffer.alloc(0), LIMITS);
    expect(read.email.text).toContain('The closing boundary never comes.');
  });

  it('flags nothing on a healthy multipart message', () => {
    const healthy = Buffer.from(
      'From: a@x.example\r\nSubject: ok\r\nContent-Type: multipart/alternative; boundary="q"\r\n\r\n--q\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n--q\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n--q--\r\n',
    );
    expect(inspectStructure(healthy)).toEqual({ flags: [], depth: 1, base64Bodies: [] });
  });
});
