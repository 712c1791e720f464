import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { clientReply } from '../helpers/mail.js';
import { runCli } from '../helpers/process.js';

/**
 * The agency workflow as a new user scripts it, from the CLI alone: a client with approvers and
 * non-approvers, a deliverable with two versions sent for review, then client replies imported as .eml
 * files; decisions list must show exactly the approvals that are final and the reason for every other.
 */

const TRUSTED = 'mx.brightline.example';
const PASS = `${TRUSTED}; dkim=pass header.d=acme.example header.s=sel1; spf=pass smtp.mailfrom=acme.example; dmarc=pass (p=reject) header.from=acme.example`;
const FAIL = `${TRUSTED}; dkim=none; spf=softfail smtp.mailfrom=acme.example; dmarc=fail (p=reject) header.from=acme.example`;

interface Sent {
  to: string;
  messageId: string;
  replyTo: string;
  subject: string;
}

describe('agency workflow from the CLI', () => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const cli = async (...args: string[]) => {
    const result = await runCli([...args, '--json'], env);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoff-workflow-'));
    env = {
      DATABASE_URL: db.url,
      APP_SECRET: 'w'.repeat(40),
      INBOX_ADDRESS: 'studio@brightline.example',
      MAIL_FROM: 'Brightline Studio <studio@brightline.example>',
      OUTBOX_DIR: path.join(dir, 'outbox'),
      TRUSTED_AUTHSERV_IDS: TRUSTED,
      VERIFY_SENDER_DNS: 'false',
    };
  });
  afterAll(async () => {
    await db?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  let v1: Sent[];
  let v2: Sent[];

  it('sets up a client, contacts, a deliverable and sends two versions for review', async () => {
    await cli('user', 'add', '--email', 'maya@brightline.example', '--name', 'Maya Lead');
    const client = await cli(
      'client',
      'add',
      '--name',
      'Acme Foods',
      '--code',
      'ACME',
      '--domain',
      'acme.example',
      '--tz',
      'Europe/Berlin',
      '--lead',
      'maya@brightline.example',
      '--business-hours',
      '09:00-18:00',
      '--approval-reminder-hours',
      '24',
    );
    expect(client).toMatchObject({ code: 'ACME', domains: ['acme.example'], timeZone: 'Europe/Berlin' });
    const [policy] = await db.sql`select sla_policy from clients where code = 'ACME'`;
    expect(policy?.slaPolicy).toMatchObject({
      firstResponseHours: 8,
      approvalReminderHours: 24,
      businessHours: { start: '09:00', end: '18:00' },
    });
    await cli(
      'contact',
      'add',
      '--client',
      'ACME',
      '--email',
      'sarah@acme.example',
      '--name',
      'Sarah Kim',
      '--approver',
    );
    await cli(
      'contact',
      'add',
      '--client',
      'ACME',
      '--email',
      'dana@acme.example',
      '--name',
      'Dana Roe',
      '--approver',
    );
    await cli('contact', 'add', '--client', 'ACME', '--email', 'tom@acme.example', '--name', 'Tom Li');

    const deliverable = await cli(
      'deliverable',
      'add',
      '--client',
      'ACME',
      '--title',
      'Webinar banners',
      '--due',
      '2026-12-04',
    );
    expect(deliverable.code).toBe('ACME-1');
    const file = path.join(dir, 'banner.png');
    await fs.writeFile(file, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const version1 = await cli(
      'version',
      'add',
      '--deliverable',
      'ACME-1',
      '--file',
      file,
      '--note',
      'First round',
    );
    expect(version1).toMatchObject({ deliverable: 'ACME-1', version: 1 });

    const send1 = await cli('version', 'send', '--deliverable', 'ACME-1');
    expect(send1.version).toBe(1);
    v1 = send1.messages;
    expect(v1.map((m) => m.to).sort()).toEqual(['dana@acme.example', 'sarah@acme.example']);
    for (const m of v1) {
      expect(m.subject).toContain('[ACME-1 v1]');
      expect(m.replyTo).toMatch(/^studio\+[a-z2-7]+@brightline\.example$/);
      expect(m.messageId).toMatch(/^<sig-[a-z2-7]+@brightline\.example>$/);
    }
    // Without SMTP settings each message is an .eml file in the outbox directory.
    const files = await fs.readdir(env.OUTBOX_DIR as string);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    const written = await simpleParser(
      await fs.readFile(path.join(env.OUTBOX_DIR as string, files[0] as string)),
    );
    expect(written.text).toContain('Reply *approved* to sign off, or reply with your changes');
    expect(written.attachments.map((a) => a.filename)).toEqual(['banner.png']);

    await cli(
      'version',
      'add',
      '--deliverable',
      'ACME-1',
      '--link',
      'https://files.brightline.example/acme-1/v2',
    );
    const send2 = await cli(
      'version',
      'send',
      '--deliverable',
      'ACME-1',
      '--to',
      'sarah@acme.example',
      '--to',
      'tom@acme.example',
      '--to',
      'dana@acme.example',
    );
    expect(send2.version).toBe(2);
    v2 = send2.messages;
    expect(v2).toHaveLength(3);
    // An old version cannot go out again once a later one was sent.
    const old = await runCli(['version', 'send', '--deliverable', 'ACME-1', '--version', '1'], env);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('Version 1 of ACME-1 is superseded');
    const [deliverable1] = await cli('deliverables', 'list', '--client', 'ACME');
    expect(deliverable1).toMatchObject({
      code: 'ACME-1',
      status: 'in_review',
      owner: 'maya@brightline.example',
    });
    expect(
      deliverable1.versions.map((v: { number: number; status: string }) => [v.number, v.status]),
    ).toEqual([
      [1, 'superseded'],
      [2, 'in_review'],
    ]);
    expect(await cli('clients', 'list')).toEqual([
      expect.objectContaining({ code: 'ACME', domains: ['acme.example'], contacts: 3, approvers: 2 }),
    ]);
    expect(
      (await cli('contacts', 'list', '--client', 'ACME')).map((c: { email: string }) => c.email),
    ).toEqual(['dana@acme.example', 'sarah@acme.example', 'tom@acme.example']);
  });

  it('records exactly the final approvals, and the reason for every other decision', async () => {
    const to = (sent: Sent[], email: string) => sent.find((m) => m.to === email) as Sent;
    const sarah2 = to(v2, 'sarah@acme.example');
    const dana2 = to(v2, 'dana@acme.example');
    const tom2 = to(v2, 'tom@acme.example');
    const sarah1 = to(v1, 'sarah@acme.example');
    const replies: Record<string, string> = {
      'final.eml': clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: sarah2.replyTo,
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved, thank you!\n\nSarah',
        messageId: 'final-1@mail.acme.example',
        inReplyTo: sarah2.messageId,
        authResults: [PASS],
      }),
      'not-approver.eml': clientReply({
        from: 'Tom Li <tom@acme.example>',
        to: tom2.replyTo,
        subject: `Re: ${tom2.subject}`,
        body: 'Approved from my side.',
        messageId: 'tom-1@mail.acme.example',
        inReplyTo: tom2.messageId,
        authResults: [PASS],
      }),
      'dmarc-fail.eml': clientReply({
        from: 'Dana Roe <dana@acme.example>',
        to: dana2.replyTo,
        subject: `Re: ${dana2.subject}`,
        body: 'Approved.',
        messageId: 'dana-1@mail.acme.example',
        inReplyTo: dana2.messageId,
        authResults: [FAIL],
      }),
      'forged-below.eml': clientReply({
        from: 'Dana Roe <dana@acme.example>',
        to: dana2.replyTo,
        subject: `Re: ${dana2.subject}`,
        body: 'Looks great, approved.',
        messageId: 'dana-2@mail.acme.example',
        inReplyTo: dana2.messageId,
        authResults: [FAIL, PASS],
      }),
      'untrusted-only.eml': clientReply({
        from: 'Dana Roe <dana@acme.example>',
        to: dana2.replyTo,
        subject: `Re: ${dana2.subject}`,
        body: 'Approved!',
        messageId: 'dana-3@mail.acme.example',
        inReplyTo: dana2.messageId,
        authResults: [PASS.replace(TRUSTED, 'mx.forger.example')],
      }),
      'stale.eml': clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: sarah1.replyTo,
        subject: `Re: ${sarah1.subject}`,
        body: 'Approved.',
        messageId: 'sarah-old@mail.acme.example',
        inReplyTo: sarah1.messageId,
        authResults: [PASS],
      }),
      'conditional.eml': clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: sarah2.replyTo,
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved once the logo is bigger.',
        messageId: 'sarah-cond@mail.acme.example',
        inReplyTo: sarah2.messageId,
        authResults: [PASS],
      }),
      'reply-to-spoof.eml': clientReply({
        from: 'Sarah Kim <sarah.kim@acme-foods.example>',
        replyTo: 'sarah@acme.example',
        to: sarah2.replyTo,
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved.',
        messageId: 'spoof@acme-foods.example',
        inReplyTo: sarah2.messageId,
        authResults: [PASS.replaceAll('acme.example', 'acme-foods.example')],
      }),
      'two-from.eml': clientReply({
        from: 'sarah@acme.example, mallory@acme.example',
        to: sarah2.replyTo,
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved.',
        messageId: 'two-from@mail.acme.example',
        inReplyTo: sarah2.messageId,
        authResults: [PASS],
      }),
      'tag-only.eml': clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: 'studio@brightline.example',
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved.',
        messageId: 'tag-only@mail.acme.example',
        authResults: [PASS],
      }),
      'feedback.eml': clientReply({
        from: 'Tom Li <tom@acme.example>',
        to: tom2.replyTo,
        subject: `Re: ${tom2.subject}`,
        body: 'Could you make the logo a bit bigger and use the darker green?',
        messageId: 'tom-2@mail.acme.example',
        inReplyTo: tom2.messageId,
        authResults: [PASS],
      }),
      'request.eml': clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: 'studio@brightline.example',
        subject: 'LinkedIn banners for the spring webinar',
        body: 'Hi Maya,\n\nCan you do 3 LinkedIn banners for the spring webinar by Friday?\n\nThanks,\nSarah',
        messageId: 'request-1@mail.acme.example',
        date: 'Wed, 25 Nov 2026 09:00:00 +0100',
        authResults: [PASS],
      }),
      'unknown.eml': clientReply({
        from: 'Pat Doe <pat@elsewhere.example>',
        to: 'studio@brightline.example',
        subject: 'Quick question',
        body: 'Can you send me your rates for social media work?',
        messageId: 'unknown-1@elsewhere.example',
      }),
    };
    const inbox = path.join(dir, 'replies');
    await fs.mkdir(inbox);
    for (const [name, text] of Object.entries(replies)) await fs.writeFile(path.join(inbox, name), text);
    const imported = await cli('import', inbox, '--now', '2026-11-25T12:00:00Z');
    expect(imported.processed).toMatchObject({ processed: Object.keys(replies).length, failed: 0 });

    const decisions = await cli('decisions', 'list');
    const byMessage = Object.fromEntries(
      decisions.map(
        (d: { messageId: string; status: string; reason: string | null; version: number | null }) => [
          d.messageId,
          [d.status, d.reason, d.version],
        ],
      ),
    );
    expect(byMessage).toEqual({
      '<final-1@mail.acme.example>': ['final', null, 2],
      '<tom-1@mail.acme.example>': ['needs_confirmation', 'not_approver', 2],
      '<dana-1@mail.acme.example>': ['needs_confirmation', 'unauthenticated', 2],
      '<dana-2@mail.acme.example>': ['needs_confirmation', 'unauthenticated', 2],
      '<dana-3@mail.acme.example>': ['needs_confirmation', 'unauthenticated', 2],
      '<sarah-old@mail.acme.example>': ['needs_confirmation', 'stale_version', 1],
      '<sarah-cond@mail.acme.example>': ['needs_confirmation', 'conditional', 2],
      '<spoof@acme-foods.example>': ['needs_confirmation', 'not_approver', 2],
      '<two-from@mail.acme.example>': ['needs_confirmation', 'ambiguous_from', 2],
      '<tag-only@mail.acme.example>': ['needs_confirmation', 'unresolved_version', 2],
    });
    for (const d of decisions)
      expect(d).toMatchObject({ deliverable: 'ACME-1', intent: expect.any(String), from: expect.anything() });

    // Evidence of the final approval: message, raw hash, From, auth verdict, phrase, version hash, time.
    const [evidence] = await db.sql`
      select a.evidence from approvals a join messages m on m.id = a.message_id
      where m.message_id_header = 'final-1@mail.acme.example'`;
    expect(evidence?.evidence).toMatchObject({
      messageId: 'final-1@mail.acme.example',
      rawSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      from: 'sarah@acme.example',
      auth: { verdict: 'pass', method: 'authentication_results' },
      versionNumber: 2,
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      resolvedBy: 'token',
    });
    const [version2] = await db.sql`select status from versions where number = 2`;
    expect(version2?.status).toBe('approved');
    // An import sends nothing: the approval is recorded, nobody is mailed about history.
    const [confirmations] =
      await db.sql`select count(*)::int as n from outbox where kind = 'approval_confirmation'`;
    expect(confirmations?.n).toBe(0);
  });

  it('records nothing new when the same approval arrives again, even with other bytes', async () => {
    const sarah2 = v2.find((m) => m.to === 'sarah@acme.example') as Sent;
    const replay = path.join(dir, 'replay.eml');
    await fs.writeFile(
      replay,
      clientReply({
        from: 'Sarah Kim <sarah@acme.example>',
        to: sarah2.replyTo,
        subject: `Re: ${sarah2.subject}`,
        body: 'Approved, thank you!\n\nSarah',
        messageId: 'final-1@mail.acme.example',
        inReplyTo: sarah2.messageId,
        authResults: [PASS],
        extraHeaders: [
          'Received: from relay.example by mx.brightline.example; Wed, 25 Nov 2026 12:30:00 +0100',
        ],
      }),
    );
    await cli('import', replay, path.join(dir, 'replies', 'final.eml'));
    const [count] = await db.sql`select count(*)::int as n from approvals`;
    expect(count?.n).toBe(10);
  });

  it('keeps feedback on its version, turns a new request into a request, and triages unknown senders', async () => {
    const feedback = await cli('feedback', 'list', '--deliverable', 'ACME-1');
    const texts = feedback.map((f: { text: string; version: number }) => [f.version, f.text]);
    expect(texts).toContainEqual([2, 'Could you make the logo a bit bigger and use the darker green?']);
    expect(texts).toContainEqual([2, 'Approved once the logo is bigger.']);

    const requests = await cli('requests', 'list');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      client: 'ACME',
      requester: 'sarah@acme.example',
      title: 'LinkedIn banners for the spring webinar',
      status: 'new',
      owner: 'maya@brightline.example',
      // Friday 27 November, end of the client's business day in Berlin (18:00 CET).
      dueAt: '2026-11-27T17:00:00.000Z',
    });
    const started = await cli(
      'deliverable',
      'add',
      '--client',
      'ACME',
      '--title',
      'Spring webinar banners',
      '--request',
      String(requests[0].id),
    );
    expect(started.code).toBe('ACME-2');
    const [request] = await db.sql`select status, started_at from requests`;
    expect(request?.status).toBe('in_progress');
    expect(request?.startedAt).toBeInstanceOf(Date);

    const [unknown] = await db.sql`
      select t.needs_triage, t.triage_reason from threads t join messages m on m.thread_id = t.id
      where m.message_id_header = 'unknown-1@elsewhere.example'`;
    expect(unknown).toMatchObject({ needsTriage: true, triageReason: 'unknown_sender' });
  });

  it("knows the agency's own domains: staff mail from a second domain is ours, never a client's", async () => {
    expect(await cli('agency', 'show')).toEqual({ name: '', domains: [] });
    const set = await cli(
      'agency',
      'set',
      '--name',
      'Brightline Studio',
      '--domain',
      'brightline.example',
      '--domain',
      'Brightline-Design.example',
    );
    expect(set).toEqual({
      name: 'Brightline Studio',
      domains: ['brightline.example', 'brightline-design.example'],
    });
    expect(await cli('agency', 'show')).toEqual(set);

    // A domain is the agency's or one client's, never both.
    const clientDomain = await runCli(['agency', 'set', '--name', 'B', '--domain', 'acme.example'], env);
    expect(clientDomain.code).toBe(2);
    expect(clientDomain.stderr).toContain('acme.example belongs to client ACME');
    const agencyDomain = await runCli(
      ['client', 'add', '--name', 'Other', '--code', 'OTHER', '--domain', 'brightline-design.example'],
      env,
    );
    expect(agencyDomain.code).toBe(2);
    expect(agencyDomain.stderr).toContain("brightline-design.example is the agency's own");

    const staff = path.join(dir, 'staff.eml');
    await fs.writeFile(
      staff,
      clientReply({
        from: 'Elliot Shaw <elliot@brightline-design.example>',
        to: 'Sarah Klein <sarah@acme.example>',
        subject: 'Banner sizes for the trade fair',
        messageId: 'staff-1@brightline-design.example',
        body: 'Hi Sarah, could you send us the booth dimensions?',
      }),
    );
    await cli('import', staff);
    const [message] = await db.sql`
      select m.direction, m.client_id, t.triage_reason from messages m join threads t on t.id = m.thread_id
      where m.message_id_header = 'staff-1@brightline-design.example'`;
    const [acme] = await db.sql`select id from clients where code = 'ACME'`;
    // Ours, about ACME: not an unknown sender waiting in triage.
    expect(message).toMatchObject({ direction: 'outbound', clientId: acme?.id, triageReason: null });
    const audit = await cli('audit', 'list', '--subject', 'agency');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'agency.updated' });
  });

  it('lets a lead confirm or dismiss a decision, once, with an audit event', async () => {
    const decisions = await cli('decisions', 'list', '--status', 'needs_confirmation');
    const conditional = decisions.find((d: { reason: string }) => d.reason === 'conditional');
    const tom = decisions.find((d: { reason: string }) => d.reason === 'not_approver');
    const confirmed = await cli(
      'decision',
      'confirm',
      String(conditional.id),
      '--as',
      'maya@brightline.example',
    );
    expect(confirmed.status).toBe('confirmed');
    expect((await cli('decision', 'dismiss', String(tom.id))).status).toBe('dismissed');
    const again = await runCli(['decision', 'dismiss', String(tom.id)], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/dismissed; only a decision that needs confirmation/);

    const trail = await cli('audit', 'list', '--subject', 'approval', '--id', String(conditional.id));
    expect(trail[0]).toMatchObject({
      action: 'approval.confirmed',
      actorType: 'user',
      before: { status: 'needs_confirmation', reason: 'conditional' },
      after: { status: 'confirmed' },
    });
    const [dismissed] = await cli(
      'audit',
      'list',
      '--subject',
      'approval',
      '--id',
      String(tom.id),
      '--limit',
      '1',
    );
    expect(dismissed).toMatchObject({ action: 'approval.dismissed', actorType: 'system', actorId: 'cli' });
  });
});
