/**
 * Damaged messages, built here byte by byte: each must be stored and flagged while the mail around it
 * is ingested normally.
 */
export interface MalformedCase {
  name: string;
  bytes: Buffer;
  flags: string[];
}

const head = (subject: string, extra: string[] = []) =>
  [
    'From: Broken Sender <broken@orchard-foods.example>',
    'To: inbox@studio.example',
    `Subject: ${subject}`,
    'Date: Mon, 16 Nov 2026 09:00:00 +0000',
    `Message-ID: <${subject.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 8)}@orchard-foods.example>`,
    'MIME-Version: 1.0',
    ...extra,
  ].join('\r\n');

function deepNesting(levels: number): string {
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) {
    parts.push(`--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n`);
  }
  parts.push(`--b${levels}\r\nContent-Type: text/plain\r\n\r\ninnermost\r\n--b${levels}--\r\n`);
  for (let i = levels - 1; i >= 0; i--) parts.push(`--b${i}--\r\n`);
  return parts.join('\r\n');
}

export function malformedCases(options: { hugeBytes?: number } = {}): MalformedCase[] {
  const huge = options.hugeBytes ?? 50 * 1024 * 1024;
  const base64Line = Buffer.alloc(57, 7).toString('base64');
  const attachmentLines = Math.ceil(huge / 76);
  return [
    {
      name: 'unclosed multipart',
      bytes: Buffer.from(
        `${head('Unclosed multipart', ['Content-Type: multipart/mixed; boundary="xyz"'])}\r\n\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nThe closing boundary never comes.\r\n`,
      ),
      flags: ['unclosed_multipart'],
    },
    {
      name: 'invalid base64',
      bytes: Buffer.from(
        `${head('Invalid base64', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'])}\r\n\r\nSGVsbG8gd29ybGQ=\r\n*** not base64 at all! ***\r\n`,
      ),
      flags: ['invalid_base64'],
    },
    {
      name: 'unknown charset',
      bytes: Buffer.from(
        `${head('Unknown charset', ['Content-Type: text/plain; charset=x-martian-7'])}\r\n\r\nGreetings in an unknown charset.\r\n`,
      ),
      flags: ['unknown_charset'],
    },
    {
      name: 'NUL bytes',
      bytes: Buffer.concat([
        Buffer.from(`${head('NUL bytes', ['Content-Type: text/plain'])}\r\n\r\nBefore`),
        Buffer.from([0, 0, 0]),
        Buffer.from('after.\r\n'),
      ]),
      flags: ['nul_bytes'],
    },
    {
      name: '8-bit headers',
      bytes: Buffer.concat([
        Buffer.from(`${head('Eight bit', ['Content-Type: text/plain'])}\r\nX-Note: `),
        Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), // "Grüße" in latin1, raw in a header
        Buffer.from('\r\n\r\nBody.\r\n'),
      ]),
      flags: ['8bit_headers'],
    },
    {
      name: '1,000-deep nesting',
      bytes: Buffer.from(
        `${head('Deep nesting', ['Content-Type: multipart/mixed; boundary="b0"'])}\r\n\r\n${deepNesting(1000)}`,
      ),
      flags: ['deep_nesting', 'headers_only'],
    },
    {
      name: '50 MB attachment',
      bytes: Buffer.concat([
        Buffer.from(
          `${head('Huge attachment', ['Content-Type: multipart/mixed; boundary="big"'])}\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nThe files you asked for.\r\n--big\r\nContent-Type: application/octet-stream; name="master.tif"\r\nContent-Disposition: attachment; filename="master.tif"\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
        ),
        Buffer.from(`${base64Line}\r\n`.repeat(attachmentLines)),
        Buffer.from('--big--\r\n'),
      ]),
      flags: ['oversize', 'headers_only'],
    },
  ];
}
