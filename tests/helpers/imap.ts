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

/** APPENDs many messages over a few parallel connections (setup speed only; order across them is free). */
export async function appendMany(
  dovecot: Dovecot,
  user: DovecotUser,
  messages: Buffer[],
  connections = 4,
  folder = 'INBOX',
): Promise<void> {
  const clients = await Promise.all(Array.from({ length: connections }, () => imapClient(dovecot, user)));
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      for (let i = next++; i < messages.length; i = next++)
        await client.append(folder, messages[i] as Buffer);
      await client.logout();
    }),
  );
}

/** The IMAP_* environment of a worker that syncs this user's INBOX on the private Dovecot. */
export function imapEnv(dovecot: Dovecot, user: DovecotUser): Record<string, string> {
  return {
    IMAP_HOST: dovecot.host,
    IMAP_PORT: String(dovecot.port),
    IMAP_TLS: 'false',
    IMAP_USER: user.user,
    IMAP_PASSWORD: user.password,
    IMAP_FOLDERS: 'INBOX',
  };
}
