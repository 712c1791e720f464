import type { ParseLimits } from '../parse/parse-email.js';
import type { Analyzer } from './analysis-pool.js';

/**
 * A worker that just started reads its first mail slowly: the MIME parser's code is not compiled yet
 * and every classification pattern is built on its first use. Cold, the first 50 messages of the ingest
 * benchmark's mailbox took about 600 ms to read, against 135 ms once warm, and the first one 120 ms.
 * So a starting worker reads a few messages written here while it waits for PostgreSQL and the IMAP
 * server, one message per turn of the event loop, and throws the results away.
 */

const ROUNDS = 2;

function message(headers: string[], body: string): Buffer {
  return Buffer.from(
    [
      'From: Ada Client <ada@client.example>',
      'To: studio@agency.example',
      'Date: Mon, 7 Dec 2026 09:30:00 +0100',
      'Message-ID: <warm-up@client.example>',
      'MIME-Version: 1.0',
      ...headers,
      '',
      body,
    ].join('\r\n'),
  );
}

function samples(): Buffer[] {
  const quoted = [
    'On Fri, 4 Dec 2026 at 16:02, Studio Team <studio@agency.example> wrote:',
    '> Here is version 2 of the spring banner, with the new headline.',
    '> Let us know what you think.',
  ].join('\r\n');
  const attachment = Buffer.alloc(6000, 'warm-up attachment ').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    message(
      ['Subject: Re: Spring banner v2', 'Content-Type: text/plain; charset=utf-8'],
      `Approved, thank you! Please go ahead with the print run.\r\n\r\nBest,\r\nAda\r\n\r\n${quoted}`,
    ),
    message(
      ['Subject: AW: Flyer Runde 2', 'Content-Type: multipart/alternative; boundary="alt"'],
      [
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Bitte das Logo etwas gr=C3=B6=C3=9Fer machen und die Farbe dunkler.',
        '',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<div>Bitte das Logo etwas größer machen und die Farbe dunkler.</div><div>Gruß, Ada</div>',
        '<blockquote type="cite"><div>Am 3. Dezember schrieb Studio Team:</div><div>Anbei Runde 2.</div></blockquote>',
        '--alt--',
        '',
      ].join('\r\n'),
    ),
    message(
      ['Subject: Nouvelle demande', 'Content-Type: multipart/mixed; boundary="mix"'],
      [
        '--mix',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Bonjour, pourriez-vous nous préparer une affiche pour le salon avant le 15 janvier ?',
        '--mix',
        'Content-Type: application/pdf; name="brief.pdf"',
        'Content-Disposition: attachment; filename="brief.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        attachment,
        '--mix--',
        '',
      ].join('\r\n'),
    ),
    message(
      ['Subject: Out of office', 'Auto-Submitted: auto-replied', 'Content-Type: text/plain; charset=utf-8'],
      'I am out of the office until Monday and will reply when I am back.',
    ),
  ];
}

/** Reads the samples; never throws (a failure here only means the first real mail is read cold). */
export async function warmUp(analyzer: Analyzer, limits: ParseLimits): Promise<void> {
  const messages = samples();
  for (let round = 0; round < ROUNDS; round++) {
    for (const bytes of messages) {
      await new Promise((resolve) => setImmediate(resolve));
      await analyzer.analyze(bytes, limits, bytes.length).catch(() => {});
    }
  }
}
