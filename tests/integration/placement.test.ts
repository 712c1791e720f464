import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { Sql, TransactionSql } from '../../src/db/index.js';
import { SYSTEM } from '../../src/domain/audit.repo.js';
import { saveClient } from '../../src/domain/clients.repo.js';
import { addVersion, createDeliverable } from '../../src/domain/deliverables.repo.js';
import {
  type Analyzer,
  startParseThreads,
  startUnderstandingThread,
} from '../../src/ingest/analysis-pool.js';
import { DEFAULT_PROCESS_OPTIONS, processBatch, signingKeys } from '../../src/ingest/queue.js';
import { storeRawMessage } from '../../src/ingest/raw-store.repo.js';
import { makeMessageId, makeReplyToken, replyAddress } from '../../src/thread/tokens.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../helpers/db.js';

/**
 * A batch is threaded in memory from one candidates query: it must give exactly what placing the same
 * messages one at a time gives, including when a message depends on another of the same batch.
 */

const NOW = new Date('2026-10-20T12:00:00Z');

function mail(id: string, headers: Record<string, string>, body = `Body of ${id}.`): Buffer {
  const lines = Object.entries({
    'Message-ID': `<${id}@mail.example>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`);
}

const CLIENT = 'Dana Reyes <dana@acme.example>';
const AGENCY = 'Maya Lopez <maya@brightline.example>';
const at = (day: number) => new Date(Date.UTC(2026, 9, day, 9)).toUTCString();

// Stored in this order, so replies often come before what they answer.
const MESSAGES: { name: string; bytes: Buffer; source?: 'import' | 'outbound' }[] = [
  {
    name: 'reply-before-original',
    bytes: mail('r1', {
      From: CLIENT,
      To: AGENCY,
      Subject: 'Re: Spring banners',
      Date: at(3),
      'In-Reply-To': '<o1@mail.example>',
    }),
  },
  {
    name: 'original',
    bytes: mail('o1', { From: AGENCY, To: CLIENT, Subject: 'Spring banners', Date: at(2) }),
  },
  {
    name: 'chain-3',
    bytes: mail('z3', {
      From: CLIENT,
      To: AGENCY,
      Subject: 'Re: Re: Copy deck',
      Date: at(6),
      References: '<z1@mail.example> <z2@mail.example>',
    }),
  },
  { name: 'chain-1', bytes: mail('z1', { From: AGENCY, To: CLIENT, Subject: 'Copy deck', Date: at(4) }) },
  {
    name: 'chain-2',
    bytes: mail('z2', {
      From: AGENCY,
      To: CLIENT,
      Subject: 'Re: Copy deck',
      Date: at(5),
      'In-Reply-To': '<z1@mail.example>',
    }),
  },
  { name: 'subject-1', bytes: mail('s1', { From: CLIENT, To: AGENCY, Subject: 'Print run', Date: at(7) }) },
  {
    name: 'subject-2',
    bytes: mail('s2', { From: CLIENT, To: AGENCY, Subject: 'RE: Print run', Date: at(9) }),
  },
  {
    name: 'subject-other-sender',
    bytes: mail('s3', { From: 'someone@elsewhere.example', To: AGENCY, Subject: 'Print run', Date: at(9) }),
  },
  {
    name: 'tag-1',
    bytes: mail('t1', { From: AGENCY, To: CLIENT, Subject: '[ACME-1 v1] Homepage hero', Date: at(10) }),
  },
  {
    name: 'tag-2',
    bytes: mail('t2', {
      From: CLIENT,
      To: AGENCY,
      Subject: 'Re: [ACME-1 v1] Homepage hero looks good',
      Date: at(11),
    }),
  },
  {
    name: 'reused-id-a',
    bytes: mail('dup', { From: CLIENT, To: AGENCY, Subject: 'Invoice', Date: at(12) }, 'First text.'),
  },
  {
    name: 'reused-id-b',
    bytes: mail('dup', { From: CLIENT, To: AGENCY, Subject: 'Timesheet', Date: at(12) }, 'Other text.'),
  },
  {
    name: 'same-mail-twice',
    bytes: mail('twice', { From: AGENCY, To: CLIENT, Subject: 'Kickoff notes', Date: at(13) }),
  },
  {
    name: 'same-mail-twice',
    bytes: mail('twice', { From: AGENCY, To: CLIENT, Subject: 'Kickoff notes', Date: at(13) }),
    source: 'outbound',
  },
];

async function seedAgency(tx: TransactionSql): Promise<void> {
  await tx`insert into settings (key, value) values ('agency', ${tx.json({ name: 'Brightline', domains: ['brightline.example'] })})`;
}

async function addClient(tx: TransactionSql, code: string, domain: string): Promise<number> {
  const { id } = await saveClient(
    tx,
    { code, name: code, timeZone: 'UTC', accountLeadId: null, domains: [domain] },
    SYSTEM,
    NOW,
  );
  return id;
}

/** A deliverable with one version in review; returns the version id. */
async function addVersionFor(tx: TransactionSql, clientId: number): Promise<number> {
  const d = await createDeliverable(tx, { clientId, title: 'Work', ownerId: null, dueAt: null }, SYSTEM, NOW);
  const v = {
    deliverableId: d.id,
    note: null,
    linkUrl: null,
    files: [],
    status: 'in_review' as const,
    sentAt: NOW,
    createdBy: null,
  };
  return (await addVersion(tx, v, SYSTEM, NOW)).id;
}

async function seedAndStore(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await seedAgency(tx);
    await addVersionFor(tx, await addClient(tx, 'ACME', 'acme.example'));
  });
  for (const [i, m] of MESSAGES.entries()) {
    await storeRawMessage(
      sql,
      { source: m.source ?? 'import', sourceRef: `${i}`, bytes: m.bytes, internalDate: null },
      NOW,
    );
  }
}

interface Placed {
  threads: string[][];
  versionThreads: number;
  messages: number;
  rawLinked: number;
}

async function placeAll(sql: Sql, batchSize: number, analyzer?: Analyzer): Promise<Placed> {
  const clock = fixedClock(NOW);
  const options = { ...DEFAULT_PROCESS_OPTIONS, ...(analyzer ? { analyzer } : {}) };
  while ((await processBatch(sql, clock, quietLog, options, batchSize)) !== null) {}
  const groups = await sql<{ ids: string[] }[]>`
    select array_agg(message_id_header || '/' || left(raw_sha256, 6) order by message_id_header, raw_sha256) as ids
    from messages group by thread_id order by 1`;
  const [counts] = await sql<{ versionThreads: number; messages: number; rawLinked: number }[]>`
    select (select count(*)::int from threads where version_id is not null) as version_threads,
           (select count(*)::int from messages) as messages,
           (select count(*)::int from raw_messages where process_state = 'processed' and message_id is not null) as raw_linked`;
  return { threads: groups.map((g) => g.ids), ...(counts as Omit<Placed, 'threads'>) };
}

describe('batch placement', () => {
  const dbs: TestDatabase[] = [];
  afterAll(() => Promise.all(dbs.map((db) => db.drop())));

  it('threads a batch exactly as one message at a time, in-batch dependencies included', async () => {
    const threads = startParseThreads(2, quietLog);
    const understanding = startUnderstandingThread(quietLog);
    const results: Placed[] = [];
    try {
      for (const [batchSize, analyzer] of [[50], [1], [50, threads], [50, understanding]] as const) {
        const db = await createTestDatabase();
        dbs.push(db);
        await seedAndStore(db.sql);
        results.push(await placeAll(db.sql, batchSize, analyzer));
      }
    } finally {
      await Promise.all([threads.close(), understanding.close()]);
    }
    const [batched, single, threaded, split] = results as [Placed, Placed, Placed, Placed];
    expect(batched).toEqual(single);
    expect(threaded).toEqual(single); // read on parse threads, several at a time
    expect(split).toEqual(single); // MIME here, the text on the understanding thread

    const threadOf = (id: string) => batched.threads.find((t) => t.some((m) => m.startsWith(`${id}@`))) ?? [];
    expect(threadOf('r1')).toHaveLength(2); // reply stored before its original
    expect(threadOf('o1')).toEqual(threadOf('r1'));
    expect(threadOf('z1')).toHaveLength(3); // a chain stored out of order
    expect(threadOf('s1')).toHaveLength(2); // same client, same subject
    expect(threadOf('s3')).toHaveLength(1); // same subject, unknown sender: never joined
    expect(threadOf('t1')).toHaveLength(2); // subject tag
    expect(batched.versionThreads).toBe(1);
    expect(threadOf('dup').length).toBe(1); // reused Message-ID: two messages, two threads
    expect(batched.threads.filter((t) => t.some((m) => m.startsWith('dup@')))).toHaveLength(2);
    expect(threadOf('twice')).toHaveLength(1); // the same mail twice is one message ...
    expect(batched.messages).toBe(MESSAGES.length - 1);
    expect(batched.rawLinked).toBe(MESSAGES.length); // ... and both raw rows point at it
  });

  it('binds replies to a version by our signed token or Message-ID, never by a forged one or across clients', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const sql = db.sql;
    const signing = signingKeys('s'.repeat(40), 'studio@brightline.example');
    const { versionId, otherVersionId } = await sql.begin(async (tx) => {
      await seedAgency(tx);
      return {
        versionId: await addVersionFor(tx, await addClient(tx, 'ACME', 'acme.example')),
        otherVersionId: await addVersionFor(tx, await addClient(tx, 'NORD', 'nordlicht.example')),
      };
    });
    const token = makeReplyToken(signing.keys, { versionId, recipientContactId: 7 });
    const signedId = makeMessageId(signing.keys, {
      versionId,
      recipientContactId: 7,
      domain: 'brightline.example',
    });
    const forged = makeReplyToken('another secret of forty characters......', {
      versionId,
      recipientContactId: 7,
    });
    const otherToken = makeReplyToken(signing.keys, { versionId: otherVersionId, recipientContactId: 8 });
    const cases = [
      [
        'by-token',
        {
          From: CLIENT,
          To: replyAddress('studio@brightline.example', token),
          Subject: 'Re: poster',
          Date: at(14),
        },
      ],
      [
        'by-signed-id',
        { From: CLIENT, To: AGENCY, Subject: 'Re: poster', Date: at(15), 'In-Reply-To': `<${signedId}>` },
      ],
      [
        'forged-token',
        {
          From: CLIENT,
          To: replyAddress('studio@brightline.example', forged),
          Subject: 'Hello',
          Date: at(16),
        },
      ],
      [
        'other-clients-token',
        {
          From: CLIENT,
          To: replyAddress('studio@brightline.example', otherToken),
          Subject: 'Other',
          Date: at(17),
        },
      ],
      [
        'own-echo',
        { From: AGENCY, To: CLIENT, Subject: 'Poster v1', Date: at(13), 'Message-ID': `<${signedId}>` },
      ],
    ] as const;
    for (const [name, headers] of cases) {
      await storeRawMessage(
        sql,
        { source: 'import', sourceRef: name, bytes: mail(name, headers), internalDate: null },
        NOW,
      );
    }
    while (
      (await processBatch(sql, fixedClock(NOW), quietLog, { ...DEFAULT_PROCESS_OPTIONS, signing })) !== null
    ) {}
    const rows = await sql<
      {
        subject: string;
        versionId: number | null;
        versionResolvedBy: string | null;
        direction: string;
        threadVersion: number | null;
      }[]
    >`
      select m.subject, m.version_id, m.version_resolved_by, m.direction, t.version_id as thread_version
      from messages m join threads t on t.id = m.thread_id order by m.received_at`;
    const bySubjectAndDate = rows.map((r) => [
      r.subject,
      r.versionId,
      r.versionResolvedBy,
      r.direction,
      r.threadVersion,
    ]);
    expect(bySubjectAndDate).toEqual([
      ['Poster v1', versionId, 'message_id', 'outbound', versionId], // our own signed mail: outbound, never the client's
      ['Re: poster', versionId, 'token', 'inbound', versionId],
      ['Re: poster', versionId, 'message_id', 'inbound', versionId],
      ['Hello', null, null, 'inbound', null],
      ['Other', null, null, 'inbound', null],
    ]);
    const [threads] = await sql<
      { n: number }[]
    >`select count(distinct thread_id)::int as n from messages where version_id = ${versionId}`;
    expect(threads?.n).toBe(1);
  });
});
