import type { ChildProcess } from 'node:child_process';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { flushOutbox } from '../../src/outbound/deliver.js';
import { createSender } from '../../src/outbound/sender.js';
import { outboundIdentity } from '../../src/processing.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';
import { type Dovecot, type DovecotUser, skipWithoutDovecot, startDovecot } from '../helpers/dovecot.js';
import { imapClient, imapEnv } from '../helpers/imap.js';
import { clientReply } from '../helpers/mail.js';
import { exited, spawnWorker } from '../helpers/process.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { seedReview } from '../helpers/workflow.js';

/**
 * The review loop live, with every part real: review mail goes out over SMTP, the client's reply
 * arrives in the agency mailbox on Dovecot, a worker process syncs and processes it into a final
 * approval, and the approver's confirmation leaves through the worker's outbox over SMTP.
 */

const SECRET = 'live-approval-secret-live-approval-secret';
const TRUSTED = 'mx.brightline.example';

describe.skipIf(skipWithoutDovecot())('approval by email, live', () => {
  let dovecot: Dovecot;
  let user: DovecotUser;
  let smtp: TestSmtp;
  let db: TestDatabase;
  let worker: (ChildProcess & { output: () => string }) | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    [dovecot, smtp, db] = await Promise.all([startDovecot(), startSmtp(), createTestDatabase()]);
    user = await dovecot.addUser('live-approval');
    env = {
      ...imapEnv(dovecot, user),
      DATABASE_URL: db.url,
      APP_SECRET: SECRET,
      INBOX_ADDRESS: 'studio@brightline.example',
      MAIL_FROM: 'Brightline Studio <studio@brightline.example>',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      TRUSTED_AUTHSERV_IDS: TRUSTED,
      VERIFY_SENDER_DNS: 'false',
      RECONCILE_INTERVAL_SECONDS: '10',
    };
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await exited(worker);
    }
    await smtp?.stop();
    await db?.drop();
    await dovecot?.stop();
  });

  it('sends the review mail, records the emailed approval as final, and confirms it to the approver', async () => {
    const parsed = parseConfig(env);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config = parsed.config;
    const identity = outboundIdentity(config, SECRET);
    if (!identity) throw new Error('no outbound identity');
    const now = new Date();

    // The lead sends v1 for review (as `version send` does), over the test's SMTP server.
    const send = await seedReview(db.sql, identity, 'Spring poster', now);
    const sender = createSender(config.outbound);
    await flushOutbox(db.sql, sender, fixedClock(now), quietLog);
    await sender.close();
    expect(smtp.received).toHaveLength(1);
    const review = await simpleParser(smtp.received[0]?.raw as Buffer);
    expect(review.subject).toBe('[ACME-1 v1] Spring poster');
    const replyTo = review.replyTo?.value[0]?.address as string;
    expect(replyTo).toBe(send.messages[0]?.replyTo);

    worker = spawnWorker(env);
    // Sarah answers from her mail program; the agency's server files it with its own results on top.
    const imap = await imapClient(dovecot, user);
    await imap.append(
      'INBOX',
      clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: replyTo,
        subject: `Re: ${review.subject}`,
        body: `Approved, thanks!\n\nOn ${now.toUTCString()} Brightline Studio wrote:\n> Reply *approved* to sign off.`,
        messageId: 'live-approval-1@mail.acme.example',
        inReplyTo: review.messageId as string,
        date: now.toUTCString(),
        authResults: [`${TRUSTED}; dkim=pass header.d=acme.example; dmarc=pass header.from=acme.example`],
      }),
    );
    await imap.logout();

    const running = worker;
    const decision = await waitFor(
      'the approval decision',
      async () => {
        if (running.exitCode !== null) throw new Error(`worker exited\n${running.output()}`);
        const [row] = await db.sql`select status, reason from approvals`;
        return row;
      },
      30_000,
    );
    expect(decision).toMatchObject({ status: 'final', reason: null });
    const [version] = await db.sql`select status from versions`;
    expect(version?.status).toBe('approved');

    const confirmation = await waitFor('the confirmation mail', () => smtp.received[1], 30_000);
    expect(confirmation.to).toEqual(['sarah@acme.example']);
    const mail = await simpleParser(confirmation.raw);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.inReplyTo).toBe('<live-approval-1@mail.acme.example>');
    expect(mail.subject).toContain('[ACME-1 v1]');
    // The review request, the reply and the confirmation end up in one thread.
    const thread = await waitFor(
      'one thread with our two messages and the reply',
      async () => {
        const rows = await db.sql`
          select direction from messages where thread_id = (
            select thread_id from messages where message_id_header = 'live-approval-1@mail.acme.example')
          order by received_at, id`;
        return rows.length === 3 ? rows.map((m) => m.direction) : undefined;
      },
      30_000,
    );
    expect(thread.sort()).toEqual(['inbound', 'outbound', 'outbound']);
  });
});
