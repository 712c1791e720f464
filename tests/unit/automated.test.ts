import { describe, expect, it } from 'vitest';
import { type DetectOptions, detectAutomated } from '../../src/parse/automated.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { isOwnMessageId, makeMessageId } from '../../src/thread/tokens.js';

const CRLF = '\r\n';

/** A small single-part message: the given headers (a default Message-ID unless given), then a body. */
const plain = (headers: string[], body = 'Hello') =>
  Buffer.from(
    [
      'From: Sarah Chen <sarah@acme.example>',
      'To: studio@brightline.example',
      ...(headers.some((h) => /^message-id:/i.test(h)) ? [] : ['Message-ID: <m1@acme.example>']),
      ...headers,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join(CRLF),
  );

/** A multipart/report: a human-readable part, then the given parts (each a list of lines). */
const report = (reportType: string | null, parts: string[][], headers: string[] = []) =>
  Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>',
      'To: studio@brightline.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <report-1@mx.acme.example>',
      ...headers,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report;${reportType ? ` report-type=${reportType};` : ''} boundary="R1"`,
      '',
      '--R1',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.acme.example.',
      '',
      ...parts.flatMap((p) => ['--R1', ...p]),
      '--R1--',
      '',
    ].join(CRLF),
  );

const deliveryStatus = (action = 'failed') => [
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.acme.example',
  '',
  'Final-Recipient: rfc822; sarah@acme.example',
  `Action: ${action}`,
  'Status: 5.1.1',
  '',
];

const returnedMessage = (contentType: string, extra: string[] = []) => [
  `Content-Type: ${contentType}`,
  ...extra,
  '',
  'From: Maya Lopez <maya@brightline.example>',
  'To: sarah@acme.example',
  'Subject: [ACME-12 v2] Landing page',
  'Message-ID: <sig-original@brightline.example>',
  '',
  ...(contentType === 'text/rfc822-headers' ? [] : ['Version 2 attached.', '']),
];

const detect = async (bytes: Buffer, options?: DetectOptions) =>
  detectAutomated(await parseEmail(bytes), options);

describe('detectAutomated: RFC 3834 Auto-Submitted', () => {
  it.each([
    ['auto-replied', 'auto_reply'],
    ['auto-generated', 'auto_generated'],
    ['auto-notified', 'auto_generated'],
    ['Auto-Replied', 'auto_reply'],
    ['auto-replied (vacation)', 'auto_reply'],
    ['auto-generated; owner-email="it@acme.example"', 'auto_generated'],
    ['x-custom-robot', 'auto_generated'],
  ])('Auto-Submitted: %s -> %s', async (value, kind) => {
    expect(await detect(plain([`Auto-Submitted: ${value}`, 'Subject: Banner sizes']))).toMatchObject({
      kind,
    });
  });

  it('takes Auto-Submitted: no as a human message', async () => {
    expect(await detect(plain(['Auto-Submitted: no', 'Subject: Banner sizes']))).toBeNull();
    expect(
      await detect(plain(['Auto-Submitted: No (sent by a person)', 'Subject: Banner sizes'])),
    ).toBeNull();
  });
});

describe('detectAutomated: de-facto auto-reply headers', () => {
  it.each(['X-Autoreply: yes', 'X-Autorespond: vacation', 'X-Autoresponder: 1'])(
    '%s -> auto_reply',
    async (h) => {
      expect(await detect(plain([h, 'Subject: Banner sizes']))).toMatchObject({ kind: 'auto_reply' });
    },
  );

  it('does not take X-Auto-Response-Suppress alone as an auto-reply', async () => {
    expect(await detect(plain(['X-Auto-Response-Suppress: All', 'Subject: Approved']))).toBeNull();
  });
});

describe('detectAutomated: Precedence and list headers', () => {
  it.each([
    ['auto_reply', 'auto_reply'],
    ['bulk', 'bulk'],
    ['junk', 'bulk'],
    ['BULK', 'bulk'],
  ])('Precedence: %s -> %s', async (value, kind) => {
    expect(await detect(plain([`Precedence: ${value}`, 'Subject: News']))).toMatchObject({ kind });
  });

  it('files Precedence: list from a mailing list as list, not as an auto-reply', async () => {
    const verdict = await detect(
      plain(['Precedence: list', 'List-Id: Acme team <team.acme.example>', 'Subject: Re: Banner sizes']),
    );
    expect(verdict).toMatchObject({ kind: 'list' });
  });

  it('reads List-Id as list and List-Unsubscribe alone as bulk', async () => {
    expect(await detect(plain(['List-Id: <news.acme.example>', 'Subject: x']))).toMatchObject({
      kind: 'list',
    });
    expect(
      await detect(plain(['List-Unsubscribe: <https://news.acme.example/u/1>', 'Subject: Our autumn sale'])),
    ).toMatchObject({ kind: 'bulk' });
  });

  it('takes an old vacation program replying with Precedence: bulk as an auto-reply', async () => {
    expect(await detect(plain(['Precedence: bulk', 'Subject: Out of office: Banner sizes']))).toMatchObject({
      kind: 'auto_reply',
    });
  });
});

describe('detectAutomated: null Return-Path', () => {
  it('takes a null Return-Path as automated and an ordinary one as nothing', async () => {
    expect(await detect(plain(['Return-Path: <>', 'Subject: Your invoice']))).toMatchObject({
      kind: 'auto_generated',
    });
    expect(await detect(plain(['Return-Path: <sarah@acme.example>', 'Subject: Your invoice']))).toBeNull();
  });
});

describe('detectAutomated: delivery reports', () => {
  it('links a multipart/report bounce to the returned message/rfc822 by its Message-ID', async () => {
    const verdict = await detect(
      report('delivery-status', [deliveryStatus(), returnedMessage('message/rfc822')]),
    );
    expect(verdict).toEqual({
      kind: 'bounce',
      reason: 'multipart/report delivery-status',
      originalMessageId: 'sig-original@brightline.example',
    });
  });

  it('reads the original Message-ID from a text/rfc822-headers part', async () => {
    const verdict = await detect(
      report('delivery-status', [deliveryStatus(), returnedMessage('text/rfc822-headers')]),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: 'sig-original@brightline.example' });
  });

  it('reads the original Message-ID from a message/rfc822 part marked inline (the parser drops it from text)', async () => {
    const verdict = await detect(
      report('delivery-status', [
        deliveryStatus(),
        returnedMessage('message/rfc822', ['Content-Disposition: inline']),
      ]),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: 'sig-original@brightline.example' });
  });

  it('reads the original Message-ID from a message/global-headers part (RFC 6533)', async () => {
    const verdict = await detect(
      report('delivery-status', [
        [
          'Content-Type: message/global-delivery-status',
          '',
          'Final-Recipient: rfc822; s@acme.example',
          'Action: failed',
          '',
        ],
        ['Content-Type: message/global-headers', '', 'Message-ID: <sig-global@brightline.example>', ''],
      ]),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: 'sig-global@brightline.example' });
  });

  it('falls back to the report In-Reply-To when no part names the original', async () => {
    const verdict = await detect(
      report('delivery-status', [deliveryStatus()], ['In-Reply-To: <sig-replied@brightline.example>']),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: 'sig-replied@brightline.example' });
  });

  it('returns a null original Message-ID when the report names none', async () => {
    expect(await detect(report('delivery-status', [deliveryStatus()]))).toMatchObject({
      kind: 'bounce',
      originalMessageId: null,
    });
  });

  it('takes a multipart/report without report-type as a bounce', async () => {
    expect(await detect(report(null, [deliveryStatus()]))).toMatchObject({ kind: 'bounce' });
  });

  it('does not call a delay warning a bounce', async () => {
    const verdict = await detect(
      report('delivery-status', [deliveryStatus('delayed'), returnedMessage('text/rfc822-headers')]),
    );
    expect(verdict).toMatchObject({
      kind: 'auto_generated',
      originalMessageId: 'sig-original@brightline.example',
    });
  });

  it('takes a report with one failed recipient among delayed ones as a bounce', async () => {
    const status = [
      ...deliveryStatus('delayed'),
      'Final-Recipient: rfc822; tom@acme.example',
      'Action: failed',
      '',
    ];
    expect(await detect(report('delivery-status', [status]))).toMatchObject({ kind: 'bounce' });
  });

  it('classifies a feedback-report (ARF) with the reported message id', async () => {
    const verdict = await detect(
      report('feedback-report', [
        ['Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'Version: 1', ''],
        returnedMessage('message/rfc822'),
      ]),
    );
    expect(verdict).toMatchObject({
      kind: 'feedback_report',
      originalMessageId: 'sig-original@brightline.example',
    });
  });

  it('takes a read receipt as automated, linked by Original-Message-ID', async () => {
    const verdict = await detect(
      report('disposition-notification', [
        [
          'Content-Type: message/disposition-notification',
          '',
          'Reporting-UA: mail.acme.example',
          'Original-Message-ID: <sig-read@brightline.example>',
          'Disposition: manual-action/MDN-sent-manually; displayed',
          '',
        ],
      ]),
    );
    expect(verdict).toMatchObject({
      kind: 'auto_generated',
      originalMessageId: 'sig-read@brightline.example',
    });
  });
});

describe('detectAutomated: hostile reports', () => {
  it('does not stall on a report whose body is nothing but blank lines and spaces', async () => {
    const body = `${'\r\n'.repeat(100_000)}${' \t'.repeat(50_000)}`;
    const verdict = await detect(
      report('delivery-status', [['Content-Type: text/rfc822-headers', '', body]]),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: null });
  });
});

describe('detectAutomated: classic bounces without multipart/report', () => {
  const classic = (from: string, subject: string, body: string, headers: string[] = []) =>
    Buffer.from(
      [
        `From: ${from}`,
        'To: studio@brightline.example',
        `Subject: ${subject}`,
        ...headers,
        '',
        body,
        '',
      ].join(CRLF),
    );

  it('takes a qmail failure notice as a bounce and finds the quoted Message-ID', async () => {
    const verdict = await detect(
      classic(
        'MAILER-DAEMON@mx.acme.example',
        'failure notice',
        [
          "Hi. This is the qmail-send program at mx.acme.example. I'm afraid I wasn't able to deliver your message.",
          '',
          '<sarah@acme.example>:',
          'Sorry, no mailbox here by that name.',
          '',
          '--- Below this line is a copy of the message.',
          '',
          'From: maya@brightline.example',
          'Message-ID: <sig-quoted@brightline.example>',
          'Subject: [ACME-12 v2] Landing page',
        ].join(CRLF),
      ),
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: 'sig-quoted@brightline.example' });
  });

  it('takes an Exim bounce marked Auto-Submitted: auto-replied as a bounce, not an auto-reply', async () => {
    const verdict = await detect(
      classic(
        'Mail Delivery System <Mailer-Daemon@mx.acme.example>',
        'Mail delivery failed: returning message to sender',
        'This message was created automatically by mail delivery software.',
        ['Auto-Submitted: auto-replied'],
      ),
    );
    expect(verdict).toMatchObject({ kind: 'bounce' });
  });

  it.each(['Undeliverable: [ACME-12 v2] Landing page', 'Unzustellbar: Etikett', 'Non remis : Affiche'])(
    'takes an Exchange report from postmaster "%s" as a bounce',
    async (subject) => {
      expect(
        await detect(classic('postmaster@acme.example', subject, 'Delivery has failed to these recipients.')),
      ).toMatchObject({ kind: 'bounce' });
    },
  );

  it('does not take a delay notice from the mailer daemon as a bounce', async () => {
    expect(
      await detect(
        classic('mailer-daemon@googlemail.com', 'Delivery Status Notification (Delay)', 'Still trying.'),
      ),
    ).toMatchObject({ kind: 'auto_generated' });
  });

  it('leaves a person writing from postmaster@ about something else alone', async () => {
    expect(
      await detect(classic('postmaster@acme.example', 'New DNS records for the campaign site', 'Hi')),
    ).toBeNull();
  });

  it('prefers our own Message-ID when a bounce names several', async () => {
    const key = 'a'.repeat(32);
    const own = makeMessageId(key, { versionId: 7, recipientContactId: 3, domain: 'brightline.example' });
    const verdict = await detect(
      classic(
        'MAILER-DAEMON@mx.acme.example',
        'Returned mail: see transcript for details',
        'Message-ID: <forwarded-copy@relay.example>',
        [`References: <${own}>`],
      ),
      { isOwnMessageId: (id) => isOwnMessageId(key, id) },
    );
    expect(verdict).toMatchObject({ kind: 'bounce', originalMessageId: own });
  });
});

describe('detectAutomated: our own mail echoed back', () => {
  const key = 'b'.repeat(32);
  const own = makeMessageId(key, { versionId: 12, recipientContactId: 4, domain: 'brightline.example' });

  it('returns own_echo for a Message-ID we signed, before any other rule', async () => {
    const bytes = plain([
      `Message-ID: <${own}>`,
      'Auto-Submitted: auto-generated',
      'Subject: [ACME-12 v2] Landing page',
    ]);
    expect(await detect(bytes, { isOwnMessageId: (id) => isOwnMessageId(key, id) })).toMatchObject({
      kind: 'own_echo',
    });
    expect(await detect(bytes)).toMatchObject({ kind: 'auto_generated' });
  });

  it('does not take a forged sig- Message-ID for our own', async () => {
    const forged = plain(['Message-ID: <sig-aaaaaaaa@brightline.example>', 'Subject: Approved']);
    expect(await detect(forged, { isOwnMessageId: (id) => isOwnMessageId(key, id) })).toBeNull();
  });
});

describe('detectAutomated: out-of-office subjects', () => {
  it.each([
    ['en', 'Automatic reply: [ACME-12 v2] Landing page'],
    ['en', 'Out of Office: Banner sizes'],
    ['en', 'Out of the office'],
    ['en', 'Auto-Reply: Banner sizes'],
    ['de', 'Abwesenheitsnotiz: Etikett'],
    ['de', 'Automatische Antwort: Etikett'],
    ['fr', 'Réponse automatique : Affiche'],
    ['fr', 'Absence du bureau'],
    ['es', 'Respuesta automática: Cartel'],
    ['es', 'Fuera de la oficina'],
    ['it', 'Risposta automatica: Locandina'],
    ['it', 'Fuori ufficio'],
    ['pt', 'Resposta automática: Cartaz'],
    ['pt', 'Ausente do escritório'],
    ['nl', 'Automatisch antwoord: Poster'],
    ['nl', 'Afwezig - terug op maandag'],
    ['sv', 'Automatiskt svar: Affisch'],
    ['sv', 'Frånvaro'],
    ['da', 'Automatisk svar: Plakat'],
    ['no', 'Fraværende (tilbake 3. desember)'],
    ['fi', 'Automaattinen vastaus: Juliste'],
    ['fi', 'Poissa toimistolta'],
    ['pl', 'Odpowiedź automatyczna: Plakat'],
    ['pl', 'Poza biurem'],
  ])('%s: "%s" -> auto_reply', async (_lang, subject) => {
    expect(await detect(plain([`Subject: ${subject}`]))).toMatchObject({
      kind: 'auto_reply',
      reason: 'out-of-office subject',
    });
  });

  it.each([
    'Re: Out of office plans for Q3',
    'Out of office plans for Q3',
    'Fwd: Automatic reply settings for the shared inbox',
    'Abwesenheit im Dezember',
    'Auto: new campaign for the dealership',
    'Afwezigheidsregeling team',
  ])('leaves the human subject "%s" alone', async (subject) => {
    expect(await detect(plain([`Subject: ${subject}`]))).toBeNull();
  });

  it('reads an encoded out-of-office subject', async () => {
    expect(await detect(plain(['Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_Affiche?=']))).toMatchObject({
      kind: 'auto_reply',
    });
  });
});

describe('detectAutomated: ordinary mail', () => {
  it('returns null for a plain client reply', async () => {
    expect(
      await detect(
        plain(['Subject: Re: [ACME-12 v2] Landing page', 'In-Reply-To: <sig-x@brightline.example>']),
      ),
    ).toBeNull();
  });
});
