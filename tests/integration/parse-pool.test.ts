import { afterEach, describe, expect, it } from 'vitest';
import { analyzeMessage } from '../../src/ingest/analyze.js';
import { ParsePool } from '../../src/ingest/parse-pool.js';
import { DEFAULT_PARSE_LIMITS } from '../../src/parse/parse-email.js';
import { quietLog } from '../helpers/db.js';
import { malformedCases } from '../helpers/malformed.js';

function reply(n: number): Buffer {
  return Buffer.from(
    [
      'From: Dana Reyes <dana@acme.example>',
      'To: studio@brightline.example',
      `Subject: Re: [ACME-${n} v2] Banner set ${n}`,
      'Date: Tue, 17 Nov 2026 10:00:00 +0000',
      `Message-ID: <reply-${n}@acme.example>`,
      `In-Reply-To: <sent-${n}@brightline.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Approved, thanks! Banner ${n} is good to go.`,
      '',
      `On Mon, 16 Nov 2026 at 09:00, Maya <maya@brightline.example> wrote:`,
      `> Here is version 2 of banner ${n}.`,
      '',
    ].join('\r\n'),
  );
}

describe('parse threads', () => {
  const pools: ParsePool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  const pool = (threads: number, timeoutMs = DEFAULT_PARSE_LIMITS.timeoutMs) => {
    const p = new ParsePool(threads, { ...DEFAULT_PARSE_LIMITS, timeoutMs }, quietLog);
    pools.push(p);
    return p;
  };

  it('gives the same analysis as this thread, for many messages at once, each to its own caller', async () => {
    const p = pool(2);
    // A slice of a larger buffer, as network reads hand them over: only the slice is the message.
    const messages = Array.from({ length: 24 }, (_, i) => reply(i));
    const joined = Buffer.concat(messages);
    let offset = 0;
    const views = messages.map((m) => {
      const view = joined.subarray(offset, offset + m.length);
      offset += m.length;
      return view;
    });
    const threaded = await Promise.all(views.map((v) => p.analyze(v, v.length)));
    for (const [i, analysis] of threaded.entries()) {
      const local = await analyzeMessage(
        messages[i] as Buffer,
        DEFAULT_PARSE_LIMITS,
        messages[i]?.length ?? 0,
      );
      expect(analysis).toEqual(local);
      expect(analysis.email.messageId).toBe(`reply-${i}@acme.example`);
      expect(analysis.tag).toEqual({ code: `ACME-${i}`, version: 2 });
      expect(analysis.reply.visible).toContain(`Banner ${i} is good to go.`);
      expect(analysis.reply.visible).not.toContain('Here is version 2');
    }
  });

  it('reads damaged mail as this thread does: flagged, never thrown', async () => {
    const p = pool(1);
    // The huge attachment is flagged by size, which depends on the limit: covered elsewhere.
    for (const c of malformedCases({ hugeBytes: 1024 }).filter((m) => !m.flags.includes('oversize'))) {
      const analysis = await p.analyze(c.bytes, c.bytes.length);
      expect(analysis.flags, c.name).toEqual(expect.arrayContaining(c.flags));
    }
  });

  it('summarises a message from its headers when parsing runs past the time limit', async () => {
    const p = pool(1, 20);
    const attachment = Buffer.alloc(16 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const bytes = Buffer.from(
      `From: a@acme.example\r\nSubject: Big one\r\nMessage-ID: <big@acme.example>\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n` +
        `--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
    );
    const analysis = await p.analyze(bytes, bytes.length);
    expect(analysis.flags).toEqual(expect.arrayContaining(['parse_timeout', 'headers_only']));
    expect(analysis.email.subject).toBe('Big one');
  });

  it('fails what is still queued when it closes', async () => {
    const p = pool(1);
    const settled = Promise.allSettled(Array.from({ length: 5 }, (_, i) => p.analyze(reply(i), 200)));
    await p.close();
    const outcomes = await settled;
    expect(outcomes.some((s) => s.status === 'rejected')).toBe(true);
    await expect(p.analyze(reply(9), 200)).rejects.toMatchObject({ code: 'PARSE_FAILED' });
  });
});
