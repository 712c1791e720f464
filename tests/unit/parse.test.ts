import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { splitMbox } from '../../src/mailsource/import-files.js';
import { detectAutomated } from '../../src/parse/automated.js';
import { normalizeMessageId, parseEmail } from '../../src/parse/parse-email.js';
import { extractReply } from '../../src/parse/reply-text.js';

const mail = (headers: string[], body = 'Hello') =>
  Buffer.from(
    [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'),
  );

describe('parseEmail', () => {
  it('normalises addresses and ids', async () => {
    const email = await parseEmail(
      mail([
        'From: "Sarah Chen" <Sarah.Chen@Acme-Outdoor.example>',
        'To: inbox@studio.example, Maya <MAYA@studio.example>',
        'Delivered-To: inbox+tok@studio.example',
        'Subject: Re:  Landing   page',
        'Message-ID: <abc@mail.example>',
        'In-Reply-To: <parent@studio.example>',
        'References: <root@studio.example> <parent@studio.example>',
        'Date: Tue, 10 Nov 2026 14:02:00 -0500',
      ]),
    );
    expect(email.from).toEqual({ address: 'sarah.chen@acme-outdoor.example', name: 'Sarah Chen' });
    expect(email.fromAmbiguity).toEqual([]);
    expect(email.to.map((a) => a.address)).toEqual(['inbox@studio.example', 'maya@studio.example']);
    expect(email.deliveredTo).toEqual(['inbox+tok@studio.example']);
    expect(email.messageId).toBe('abc@mail.example');
    expect(email.inReplyTo).toBe('parent@studio.example');
    expect(email.references).toEqual(['root@studio.example', 'parent@studio.example']);
    expect(email.subject).toBe('Re: Landing page');
    expect(email.date?.toISOString()).toBe('2026-11-10T19:02:00.000Z');
  });

  it('flags a doubtful From', async () => {
    const several = await parseEmail(mail(['From: a@x.example, b@x.example', 'Subject: x']));
    expect(several.fromAmbiguity).toContain('several_addresses');
    const replyTo = await parseEmail(mail(['From: a@x.example', 'Reply-To: other@y.example', 'Subject: x']));
    expect(replyTo.fromAmbiguity).toContain('differs_from_reply_to');
    const twice = await parseEmail(mail(['From: a@x.example', 'From: b@x.example', 'Subject: x']));
    expect(twice.fromAmbiguity).toContain('several_from_headers');
    const none = await parseEmail(mail(['Subject: x']));
    expect(none.from).toBeNull();
    expect(none.fromAmbiguity).toContain('missing');
  });

  it('refuses a message over the size limit with PARSE_LIMIT', async () => {
    const error = await parseEmail(mail(['From: a@x.example'], 'x'.repeat(2000)), {
      maxBytes: 1000,
      timeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(isAppError(error, 'PARSE_LIMIT')).toBe(true);
  });

  it('strips angle brackets from Message-IDs and rejects blanks', () => {
    expect(normalizeMessageId(' <a@b> ')).toBe('a@b');
    expect(normalizeMessageId('a@b')).toBe('a@b');
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId('two words')).toBeNull();
  });
});

describe('detectAutomated', () => {
  const headers = async (...h: string[]) =>
    detectAutomated(await parseEmail(mail(['From: a@x.example', ...h])));
  it('reads RFC 3834 and the de-facto headers', async () => {
    expect(await headers('Auto-Submitted: auto-replied', 'Subject: x')).toMatchObject({ kind: 'auto_reply' });
    expect(await headers('Auto-Submitted: auto-generated', 'Subject: x')).toMatchObject({
      kind: 'auto_generated',
    });
    expect(await headers('Auto-Submitted: no', 'Subject: x')).toBeNull();
    expect(await headers('X-Autoreply: yes', 'Subject: x')).toMatchObject({ kind: 'auto_reply' });
    expect(await headers('Precedence: bulk', 'Subject: x')).toMatchObject({ kind: 'bulk' });
    expect(await headers('List-Id: <news.x.example>', 'Subject: x')).toMatchObject({ kind: 'list' });
    expect(await headers('Return-Path: <>', 'Subject: x')).toMatchObject({ kind: 'auto_generated' });
    expect(await headers('Subject: Abwesenheitsnotiz: Etikett')).toMatchObject({ kind: 'auto_reply' });
  });
  it('does not take X-Auto-Response-Suppress alone as an auto-reply', async () => {
    expect(await headers('X-Auto-Response-Suppress: All', 'Subject: Approved')).toBeNull();
  });
});

describe('extractReply', () => {
  it('cuts at a quote header and keeps the signature apart', () => {
    const parts = extractReply(
      'Looks good, thanks!\n\n-- \nSarah Chen\nMarketing\n\nOn Tue, Nov 10, 2026 at 2:02 PM Maya Lopez <maya@studio.example> wrote:\n> Version 2 attached.\n',
    );
    expect(parts.visible).toBe('Looks good, thanks!');
    expect(parts.signature).toBe('-- \nSarah Chen\nMarketing'.replace(/ $/gm, ''));
    expect(parts.quoted).toContain('> Version 2 attached.');
  });
  it('cuts at an Outlook header block without > markers', () => {
    const parts = extractReply(
      'Bitte das Logo größer.\n\nVon: Jonas Weber <jonas@studio.example>\nGesendet: Montag, 16. November 2026 10:12\nAn: Katrin Vogel\nBetreff: Etikett\n\nHallo Katrin,',
    );
    expect(parts.visible).toBe('Bitte das Logo größer.');
  });
  it('keeps inline answers and drops the quoted lines between them', () => {
    const parts = extractReply(
      '> Is the headline ok?\nNo, shorter please.\n> And the colours?\nThose are fine.\n',
    );
    expect(parts.visible).toBe('No, shorter please.\nThose are fine.');
  });
  it('keeps a forwarded block as content', () => {
    const parts = extractReply(
      'FYI, see below.\n\n---------- Forwarded message ---------\nFrom: CEO <ceo@x.example>\nDate: today\nSubject: Cover\nTo: Tom\n\nMake it bold.',
    );
    expect(parts.forwarded).toContain('Make it bold.');
  });
  it('treats mobile footers as the signature', () => {
    expect(extractReply('Approved!\n\nSent from my iPhone').visible).toBe('Approved!');
  });
});

describe('splitMbox', () => {
  it('splits on From_ lines and undoes mboxrd quoting', () => {
    const parts = splitMbox(
      Buffer.from(
        'From a@x Mon Nov 16 10:00:00 2026\nSubject: one\n\n>From here\n\nFrom b@x Mon Nov 16 11:00:00 2026\nSubject: two\n\nbody\n',
      ),
    );
    expect(parts.map((p) => p.toString())).toEqual(['Subject: one\n\nFrom here\n', 'Subject: two\n\nbody']);
  });
});
