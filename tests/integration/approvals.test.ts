import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/audit.repo.js';
import { saveContact } from '../../src/domain/clients.repo.js';
import { drainQueue, processOptions, signingKeys } from '../../src/ingest/queue.js';
import { storeRawMessage } from '../../src/ingest/raw-store.repo.js';
import { confirmationHook, type OutboundIdentity } from '../../src/outbound/review.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';
import { clientReply } from '../helpers/mail.js';
import { seedReview } from '../helpers/workflow.js';

/**
 * Approvals through the real pipeline with DKIM verified by us (no trusted Authentication-Results
 * header): the keys and the DNS zone are made here, and a resolver answers from that zone, offline.
 */

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const PUBLIC_B64 = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');

const ZONE: Record<string, string[][]> = {
  'sel1._domainkey.acme.example': [[`v=DKIM1; k=rsa; p=${PUBLIC_B64}`]],
  'sel1._domainkey.bulkmail.example': [[`v=DKIM1; k=rsa; p=${PUBLIC_B64}`]],
  '_dmarc.acme.example': [['v=DMARC1; p=reject']],
};

async function resolver(name: string, rrtype: string): Promise<string[][]> {
  const answer = rrtype === 'TXT' ? ZONE[name.toLowerCase()] : undefined;
  if (answer) return answer;
  throw Object.assign(new Error(`${name} ${rrtype} not found`), { code: 'ENOTFOUND' });
}

async function sign(message: string, domain: string, maxBodyLength?: number): Promise<string> {
  // The typings ask for the key at the top level too; the signer reads signatureData.
  const key = { signingDomain: domain, selector: 'sel1', privateKey: PRIVATE_PEM };
  const result = await dkimSign(message, { ...key, signatureData: [{ ...key, maxBodyLength }] });
  expect(result.errors).toEqual([]);
  return `${result.signatures}${message}`;
}

const NOW = new Date('2026-11-25T12:00:00Z');
const identity = (): OutboundIdentity => ({
  from: 'Brightline Studio <studio@brightline.example>',
  inboxAddress: 'studio@brightline.example',
  keys: signingKeys('a'.repeat(40), 'studio@brightline.example').keys,
});

describe('approvals with DKIM verified offline', () => {
  let db: TestDatabase;
  let replyTo: string;
  let messageId: string;
  const options = () => ({
    ...processOptions(
      {
        syncSinceDays: 90,
        reconcileIntervalSeconds: 300,
        maxMessageBytes: 50 * 1024 * 1024,
        parseTimeoutMs: 30_000,
        parseThreads: 0,
      },
      signingKeys('a'.repeat(40), 'studio@brightline.example'),
    ),
    senderAuth: { trustedAuthservIds: [], verifyWithDns: true, resolver },
    inbound: { onFinalApproval: confirmationHook(identity()) },
  });
  const ingest = async (name: string, raw: string) => {
    await storeRawMessage(
      db.sql,
      { source: 'import', sourceRef: name, bytes: Buffer.from(raw), internalDate: NOW },
      NOW,
    );
    const counts = await drainQueue(db.sql, { now: () => NOW }, quietLog, options());
    expect(counts.failed).toBe(0);
  };
  const decisionOf = async (id: string) => {
    const [row] = await db.sql`
      select a.status, a.reason, a.evidence from approvals a join messages m on m.id = a.message_id
      where m.message_id_header = ${id}`;
    return row;
  };
  const reply = (id: string, body: string, from = 'Sarah Kim <sarah@acme.example>') =>
    clientReply({
      from,
      to: replyTo,
      subject: 'Re: [ACME-1 v1] Poster',
      body,
      messageId: id,
      inReplyTo: messageId,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    const sent = await seedReview(db.sql, identity(), 'Poster', NOW);
    const [first] = sent.messages;
    replyTo = first?.replyTo ?? '';
    messageId = first?.messageId ?? '';
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a DKIM-aligned approval from an approver is final, and the approver gets a confirmation', async () => {
    await ingest(
      'signed',
      await sign(reply('signed@mail.acme.example', 'Approved, thanks!'), 'acme.example'),
    );
    const decision = await decisionOf('signed@mail.acme.example');
    expect(decision).toMatchObject({ status: 'final', reason: null });
    expect(decision?.evidence.auth).toMatchObject({ verdict: 'pass', method: 'mailauth' });
    const [confirmation] = await db.sql`
      select kind, automated, to_addresses, headers, status from outbox where kind = 'approval_confirmation'`;
    expect(confirmation).toMatchObject({ automated: true, status: 'queued' });
    expect(JSON.stringify(confirmation?.toAddresses)).toContain('sarah@acme.example');
    expect(JSON.stringify(confirmation?.headers)).toContain('auto-generated');
  });

  it('a signature that covers only part of the body (l=) does not authenticate what was appended', async () => {
    const text = reply('short-l@mail.acme.example', 'Thanks for the poster.');
    const signed = await sign(text, 'acme.example', 10);
    await ingest(
      'short-l',
      signed.replace('Thanks for the poster.', 'Thanks for the poster.\r\n\r\nApproved.'),
    );
    expect(await decisionOf('short-l@mail.acme.example')).toMatchObject({
      status: 'needs_confirmation',
      reason: 'unauthenticated',
    });
  });

  it('a valid signature of another domain, or a body changed after signing, is not authentication', async () => {
    await ingest(
      'unaligned',
      await sign(reply('unaligned@mail.acme.example', 'Approved.'), 'bulkmail.example'),
    );
    const tampered = await sign(reply('tampered@mail.acme.example', 'Not approved yet.'), 'acme.example');
    await ingest('tampered', tampered.replace('Not approved yet.', 'Approved.'));
    for (const id of ['unaligned@mail.acme.example', 'tampered@mail.acme.example']) {
      expect(await decisionOf(id), id).toMatchObject({
        status: 'needs_confirmation',
        reason: 'unauthenticated',
      });
    }
    const [count] = await db.sql`select count(*)::int as n from outbox where kind = 'approval_confirmation'`;
    expect(count?.n).toBe(1);
  });

  it('finds the client of a contact on a personal address, and takes a new request from them', async () => {
    const [client] = await db.sql`select id from clients where code = 'ACME'`;
    await db.sql.begin((tx) =>
      saveContact(
        tx,
        { clientId: client?.id, email: 'kim@mailbox.example', name: 'Kim Freelance', canApprove: false },
        SYSTEM,
        NOW,
      ),
    );
    await ingest(
      'personal',
      clientReply({
        from: 'Kim Freelance <kim@mailbox.example>',
        to: 'studio@brightline.example',
        subject: 'Banners for the spring fair',
        body: 'Hi, could you do three banners for the spring fair by Friday?',
        messageId: 'kim-1@mailbox.example',
        date: 'Wed, 25 Nov 2026 10:00:00 +0100',
      }),
    );
    const [message] =
      await db.sql`select client_id from messages where message_id_header = 'kim-1@mailbox.example'`;
    expect(message?.clientId).toBe(client?.id);
    const [request] = await db.sql`select client_id, requester_email, due_at, status from requests`;
    expect(request).toMatchObject({
      clientId: client?.id,
      requesterEmail: 'kim@mailbox.example',
      status: 'new',
    });
    // Friday 27 November, 17:30 in Berlin (the default end of the business day).
    expect(request?.dueAt).toEqual(new Date('2026-11-27T16:30:00.000Z'));
  });
});
