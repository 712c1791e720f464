import { describe, expect, it } from 'vitest';
import {
  APPROVE_LINE_HTML,
  APPROVE_LINE_TEXT,
  composeApprovalConfirmation,
  composeReviewRequest,
} from '../../src/outbound/compose.js';
import { buildMime } from '../../src/outbound/sender.js';
import { decodeThreadIndex, replyThreadIndex, toFiletime } from '../../src/outbound/thread-index.js';

const SENT_AT = new Date('2026-10-20T14:03:12Z');

function reviewInput(overrides: { title?: string; previous?: { messageId: string } | null } = {}) {
  return {
    from: 'Brightline Studio <studio@brightline.example>',
    to: { name: 'Priya Nair', address: 'priya@acme.example' },
    replyTo: 'inbox+abc123@brightline.example',
    messageId: 'sig-aaaa1111@brightline.example',
    date: SENT_AT,
    client: { name: 'Acme Outdoor' },
    deliverable: { code: 'ACME-12', title: overrides.title ?? 'Trail running hero banner' },
    version: {
      number: 2,
      note: 'Warmer sky, the logo one size up.',
      linkUrl: 'https://files.brightline.example/acme-12/v2',
      files: [
        { name: 'hero-1600x600.png', sha256: 'a'.repeat(64), size: 312_000, contentType: 'image/png' },
        { name: 'hero-mobile.png', sha256: 'b'.repeat(64), size: 900, contentType: 'image/png' },
      ],
    },
    previous: overrides.previous === undefined ? null : overrides.previous,
  };
}

describe('composeReviewRequest', () => {
  it('tags the subject with the code and version', () => {
    const m = composeReviewRequest(reviewInput());
    expect(m.subject).toBe('[ACME-12 v2] Trail running hero banner');
    expect(m.kind).toBe('review_request');
    expect(m.automated).toBe(false);
    expect(m.replyTo).toBe('inbox+abc123@brightline.example');
    expect(m.to).toEqual([{ name: 'Priya Nair', address: 'priya@acme.example' }]);
  });

  it('asks for approval in the text and the HTML, with the note, link and files', () => {
    const m = composeReviewRequest(reviewInput());
    expect(m.text).toContain(APPROVE_LINE_TEXT);
    expect(m.text).toContain('Reply *approved* to sign off, or reply with your changes.');
    expect(m.html).toContain(APPROVE_LINE_HTML);
    expect(m.html).toContain('Reply <b>approved</b> to sign off, or reply with your changes.');
    for (const body of [m.text, m.html ?? '']) {
      expect(body).toContain('Warmer sky, the logo one size up.');
      expect(body).toContain('https://files.brightline.example/acme-12/v2');
      expect(body).toContain('hero-1600x600.png (305 KB)');
      expect(body).toContain('hero-mobile.png (900 bytes)');
    }
    expect(m.attachments.map((a) => a.name)).toEqual(['hero-1600x600.png', 'hero-mobile.png']);
  });

  it('escapes client text in the HTML part', () => {
    const m = composeReviewRequest(reviewInput({ title: 'Banner <script>alert(1)</script> & co' }));
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('Banner &lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
  });

  it('keeps CR/LF in a title out of every header', async () => {
    const title = 'Spring sale\r\nBcc: attacker@evil.example\r\nX-Injected: yes';
    const m = composeReviewRequest(reviewInput({ title }));
    expect(m.subject).not.toMatch(/[\r\n]/);
    for (const value of Object.values(m.headers)) expect(value).not.toMatch(/[\r\n]/);
    expect(m.headers['Thread-Topic']).toBe('Spring sale Bcc: attacker@evil.example X-Injected: yes');

    const files = new Map([
      ['a'.repeat(64), Buffer.from('png one')],
      ['b'.repeat(64), Buffer.from('png two')],
    ]);
    const { raw, envelope } = await buildMime(m, files, SENT_AT);
    const head = raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
    expect(head).not.toMatch(/^Bcc:/im);
    expect(head).not.toMatch(/^X-Injected:/im);
    expect(envelope.to).toEqual(['priya@acme.example']);
  });

  it('takes any Unicode in titles and names', async () => {
    const m = composeReviewRequest({
      ...reviewInput({ title: 'Weihnachts-Newsletter „Röstfrisch“ ☕' }),
      to: { name: 'Jürgen Größ', address: 'juergen@helios.example' },
    });
    expect(m.subject).toBe('[ACME-12 v2] Weihnachts-Newsletter „Röstfrisch“ ☕');
    const { raw } = await buildMime(
      m,
      new Map([
        ['a'.repeat(64), Buffer.from('x')],
        ['b'.repeat(64), Buffer.from('y')],
      ]),
      SENT_AT,
    );
    const head = raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
    // Non-ASCII header text goes out as encoded words, never raw 8-bit.
    expect(head).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(/[^\t\r\n -~]/.test(head)).toBe(false);
  });

  it('gives a deterministic 22-byte Thread-Index: 6 bytes of FILETIME, then a GUID', () => {
    const a = composeReviewRequest(reviewInput());
    const b = composeReviewRequest(reviewInput());
    const index = a.headers['Thread-Index'] ?? '';
    expect(index).toBe(b.headers['Thread-Index']);
    expect(index).toMatch(/^[A-Za-z0-9+/]{30}==$/); // 22 bytes in base64
    const bytes = Buffer.from(index, 'base64');
    expect(bytes.length).toBe(22);
    expect(bytes.readUIntBE(0, 6)).toBe(Number(toFiletime(SENT_AT) >> 16n));
    expect(bytes[0]).toBe(0x01);
    expect(a.headers['Thread-Topic']).toBe('Trail running hero banner');

    const other = composeReviewRequest({ ...reviewInput(), messageId: 'sig-bbbb2222@brightline.example' });
    const otherBytes = Buffer.from(other.headers['Thread-Index'] ?? '', 'base64');
    expect(otherBytes.subarray(0, 6)).toEqual(bytes.subarray(0, 6));
    expect(otherBytes.subarray(6)).not.toEqual(bytes.subarray(6));
  });

  it('references the previous version’s review request', () => {
    expect(composeReviewRequest(reviewInput()).references).toEqual([]);
    const m = composeReviewRequest(reviewInput({ previous: { messageId: '<sig-v1@brightline.example>' } }));
    expect(m.references).toEqual(['sig-v1@brightline.example']);
    expect(m.messageId).toBe('sig-aaaa1111@brightline.example');
  });
});

describe('composeApprovalConfirmation', () => {
  const input = {
    from: 'Brightline Studio <studio@brightline.example>',
    to: { name: 'Priya Nair', address: 'priya@acme.example' },
    messageId: 'confirm-1@brightline.example',
    date: new Date('2026-10-21T09:00:00Z'),
    inReplyTo: 'CAF=approve@mail.acme.example',
    references: ['sig-v1@brightline.example', 'sig-aaaa1111@brightline.example'],
    deliverable: { code: 'ACME-12', title: 'Trail running hero banner' },
    version: { number: 2, contentHash: 'c0ffee'.repeat(10) },
    approvedAt: new Date('2026-10-21T08:58:40Z'),
    decidingPhrase: 'Approved, thanks!',
  };

  it('is automated mail that no auto-responder answers', () => {
    const m = composeApprovalConfirmation(input);
    expect(m.automated).toBe(true);
    expect(m.kind).toBe('approval_confirmation');
    expect(m.headers['Auto-Submitted']).toBe('auto-generated');
    expect(m.headers['X-Auto-Response-Suppress']).toBe('All');
  });

  it('answers the approving message and keeps the references chain', () => {
    const m = composeApprovalConfirmation(input);
    expect(m.subject).toBe('Re: [ACME-12 v2] Trail running hero banner');
    expect(m.inReplyTo).toBe('CAF=approve@mail.acme.example');
    expect(m.references).toEqual([
      'sig-v1@brightline.example',
      'sig-aaaa1111@brightline.example',
      'CAF=approve@mail.acme.example',
    ]);
    const again = composeApprovalConfirmation({ ...input, references: [...m.references] });
    expect(again.references).toEqual(m.references);
  });

  it('states the version, the time and what to do if it was not them', () => {
    const m = composeApprovalConfirmation(input);
    expect(m.text).toContain('version 2');
    expect(m.text).toContain('2026-10-21 08:58 UTC');
    expect(m.text).toContain('c0ffeec0ffee');
    expect(m.text).toContain('"Approved, thanks!"');
    expect(m.text).toMatch(/If this was not you.*reply to this message/);
  });

  it('files itself under the approving message’s Thread-Index when there is one', () => {
    const parent = composeReviewRequest(reviewInput()).headers['Thread-Index'] ?? '';
    const m = composeApprovalConfirmation({ ...input, parentThreadIndex: parent });
    const index = m.headers['Thread-Index'] ?? '';
    expect(index).toBe(replyThreadIndex(parent, input.date, input.messageId));
    const bytes = decodeThreadIndex(index);
    expect(bytes?.length).toBe(27);
    expect(bytes?.subarray(0, 22)).toEqual(Buffer.from(parent, 'base64'));

    const fresh = composeApprovalConfirmation({ ...input, parentThreadIndex: 'not an index' });
    expect(Buffer.from(fresh.headers['Thread-Index'] ?? '', 'base64').length).toBe(22);
  });
});
