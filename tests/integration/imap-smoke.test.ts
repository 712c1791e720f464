import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, type DovecotUser, skipWithoutDovecot, startDovecot } from '../helpers/dovecot.js';

// Three small RFC 5322 messages with CRLF line ends (as IMAP carries them), one with an 8-bit UTF-8
// body, so a byte-for-byte round trip also proves nothing re-encodes the content.
const MESSAGES = [
  [
    'From: Ana Client <ana@client.example>',
    'To: Studio <studio@agency.example>',
    'Subject: Homepage banner, first round',
    'Date: Mon, 03 Mar 2025 09:15:00 +0000',
    'Message-ID: <smoke-1@client.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Hi team, can we see the banner with the darker blue?',
    '',
  ].join('\r\n'),
  [
    'From: Studio <studio@agency.example>',
    'To: Ana Client <ana@client.example>',
    'Subject: Re: Homepage banner, first round',
    'Date: Mon, 03 Mar 2025 11:40:00 +0000',
    'Message-ID: <smoke-2@agency.example>',
    'In-Reply-To: <smoke-1@client.example>',
    'References: <smoke-1@client.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Attached is v2 with the darker blue.',
    '',
  ].join('\r\n'),
  [
    'From: =?UTF-8?Q?Jos=C3=A9_Cliente?= <jose@client.example>',
    'To: Studio <studio@agency.example>',
    'Subject: =?UTF-8?Q?Aprobaci=C3=B3n?=',
    'Date: Tue, 04 Mar 2025 08:05:00 +0100',
    'Message-ID: <smoke-3@client.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Aprobado, ¡gracias! Señal verde para la versión 2. ✅',
    '',
  ].join('\r\n'),
].map((text) => Buffer.from(text, 'utf8'));

// The second message carries a flag so the flag check compares more than empty sets.
const APPEND_FLAGS = [[], ['\\Flagged'], []];
const INTERNAL_DATES = [
  new Date('2025-03-03T09:15:05Z'),
  new Date('2025-03-03T11:40:05Z'),
  new Date('2025-03-04T07:05:05Z'),
];

// \Recent is a per-session flag the server sets itself; only the stored flags matter here.
function storedFlags(flags: Set<string> | undefined): string[] {
  return [...(flags ?? [])].filter((flag) => flag !== '\\Recent').sort();
}

/** True when something on the port answers with an IMAP greeting within a second. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('* OK')));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

describe.skipIf(skipWithoutDovecot())('IMAP against a private Dovecot', () => {
  let dovecot: Dovecot;
  const clients: ImapFlow[] = [];
  // Every client's 'error' events land here: without a listener, one would crash the test process.
  const clientErrors = new Map<ImapFlow, Error[]>();

  beforeAll(async () => {
    dovecot = await startDovecot();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await dovecot?.stop();
  });

  function newClient(account: DovecotUser): ImapFlow {
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      doSTARTTLS: false,
      logger: false,
      auth: { user: account.user, pass: account.password },
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
    });
    clientErrors.set(client, []);
    client.on('error', (err: Error) => clientErrors.get(client)?.push(err));
    clients.push(client);
    return client;
  }

  async function connected(account: DovecotUser): Promise<ImapFlow> {
    const client = newClient(account);
    await client.connect();
    return client;
  }

  /** Appends MESSAGES to INBOX and returns the UIDs the server assigned (UIDPLUS). */
  async function seedInbox(client: ImapFlow): Promise<number[]> {
    const uids: number[] = [];
    for (const [i, raw] of MESSAGES.entries()) {
      const result = await client.append('INBOX', raw, APPEND_FLAGS[i], INTERNAL_DATES[i]);
      if (!result || result.uid === undefined)
        throw new Error(`APPEND ${i} returned no UID: ${dovecot.logTail()}`);
      uids.push(result.uid);
    }
    return uids;
  }

  it('logs a new user in and lists INBOX and a \\Sent folder', async () => {
    const client = await connected(await dovecot.addUser('smoke-list'));
    const folders = await client.list();
    expect(folders.map((f) => f.path)).toContain('INBOX');
    const sent = folders.find((f) => f.specialUse === '\\Sent');
    expect(sent?.path).toBe('Sent');
    // From the server's SPECIAL-USE flag, not imapflow guessing from the name.
    expect(sent?.specialUseSource).toBe('extension');
    await client.logout();
    expect(clientErrors.get(client)).toEqual([]);
  });

  it('rejects a wrong password without locking the account out', async () => {
    const account = await dovecot.addUser('smoke-auth');
    const wrong = newClient({ user: account.user, password: `${account.password}x` });
    await expect(wrong.connect()).rejects.toMatchObject({ authenticationFailed: true });
    // The harness switches off Dovecot's per-IP auth penalty, which would stall this login for seconds.
    const started = Date.now();
    const right = await connected(account);
    expect(Date.now() - started).toBeLessThan(1_500);
    await right.logout();
  });

  it('round-trips appended messages byte for byte without marking them \\Seen', async () => {
    const client = await connected(await dovecot.addUser('smoke-fetch'));
    const appendedUids = await seedInbox(client);

    await client.mailboxOpen('INBOX', { readOnly: true });
    const fetched = await client.fetchAll(
      '1:*',
      { uid: true, source: true, internalDate: true },
      { uid: true },
    );
    expect(fetched.map((m) => m.uid)).toEqual(appendedUids);
    for (let i = 1; i < fetched.length; i++) {
      expect(fetched[i]?.uid).toBeGreaterThan(fetched[i - 1]?.uid ?? Number.POSITIVE_INFINITY);
    }
    fetched.forEach((message, i) => {
      expect(message.source?.equals(MESSAGES[i] as Buffer), `source of message ${i + 1}`).toBe(true);
      expect(new Date(message.internalDate ?? 0).getTime()).toBe(INTERNAL_DATES[i]?.getTime());
    });

    // A read-only EXAMINE never sets \Seen whatever the client sends, so fetch the sources once more
    // read-write: only BODY.PEEK keeps the flags as appended.
    await client.mailboxOpen('INBOX');
    await client.fetchAll('1:*', { uid: true, source: true }, { uid: true });
    const after = await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true });
    expect(after.map((m) => storedFlags(m.flags))).toEqual(APPEND_FLAGS.map((f) => [...f].sort()));

    await client.logout();
    expect(clientErrors.get(client)).toEqual([]);
  });

  it("does not show one user's mail to another", async () => {
    const first = await connected(await dovecot.addUser('smoke-owner'));
    await seedInbox(first);
    await first.logout();

    const second = await connected(await dovecot.addUser('smoke-other'));
    const status = await second.status('INBOX', { messages: true });
    expect(status).toMatchObject({ messages: 0 });
    await second.mailboxOpen('INBOX', { readOnly: true });
    expect(await second.fetchAll('1:*', { uid: true })).toEqual([]);
    await second.logout();
  });

  it('keeps the mail and the port across a SIGKILL restart', async () => {
    const account = await dovecot.addUser('smoke-restart');
    const before = await connected(account);
    const uids = await seedInbox(before);
    const { uidValidity } = await before.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => before.once('close', () => resolve()));

    const port = dovecot.port;
    await dovecot.restart();
    expect(dovecot.port).toBe(port);

    // The old session died with the server: it must report that, not hang.
    await closed;
    expect(before.usable).toBe(false);

    const after = await connected(account);
    const reopened = await after.mailboxOpen('INBOX', { readOnly: true });
    // Same UIDVALIDITY, so a sync cursor taken before the crash is still valid.
    expect(reopened.uidValidity).toBe(uidValidity);
    const fetched = await after.fetchAll('1:*', { uid: true, source: true }, { uid: true });
    expect(fetched.map((m) => m.uid)).toEqual(uids);
    fetched.forEach((message, i) => {
      expect(message.source?.equals(MESSAGES[i] as Buffer), `source of message ${i + 1}`).toBe(true);
    });
    await after.logout();
    expect(clientErrors.get(after)).toEqual([]);
  });

  it('stays down after kill() until restart()', async () => {
    const account = await dovecot.addUser('smoke-kill');
    dovecot.kill();
    // A connect right after the SIGKILL can still land in the dying socket's backlog, so "down" means
    // no greeting rather than a refused connection.
    expect(await greets(dovecot.port)).toBe(false);
    await dovecot.restart();
    const client = await connected(account);
    expect(client.usable).toBe(true);
    await client.logout();
  });
});
