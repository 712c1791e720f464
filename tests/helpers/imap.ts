import { ImapFlow } from 'imapflow';
import type { Dovecot, DovecotUser } from './dovecot.js';

/** A test's own IMAP client (as another mail program would be), for APPENDing mail to the server. */
export async function imapClient(dovecot: Dovecot, user: DovecotUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.user, pass: user.password },
    logger: false,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

let counter = 0;

/** A small, realistic client message with a unique Message-ID. */
export function clientMessage(
  options: { subject?: string; from?: string; body?: string; date?: Date } = {},
): Buffer {
  counter += 1;
  const id = `${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  return Buffer.from(
    [
      `From: ${options.from ?? 'Nadia Brooks <nadia@orchard-foods.example>'}`,
      'To: inbox@studio.example',
      `Subject: ${options.subject ?? `Question ${counter}`}`,
      `Date: ${(options.date ?? new Date()).toUTCString()}`,
      `Message-ID: <${id}@orchard-foods.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      options.body ?? `Could you send the next draft? (${counter})`,
      '',
    ].join('\r\n'),
  );
}
