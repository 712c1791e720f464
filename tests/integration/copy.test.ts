import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BinaryCopyDecoder,
  type CopyColumnType,
  copyIn,
  copyOut,
  encodeBinaryCopy,
} from '../../src/db/copy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const TYPES: CopyColumnType[] = ['int4', 'int8', 'text', 'bytea', 'timestamptz', 'text[]'];
const COPY_IN = 'copy copy_probe (n, big, label, data, at, tags) from stdin (format binary)';
const COPY_OUT =
  'copy (select n, big, label, data, at, tags from copy_probe order by n) to stdout (format binary)';

describe('binary COPY', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await db.sql`
      create table copy_probe (n int4 primary key, big int8, label text, data bytea, at timestamptz, tags text[])`;
  });
  afterAll(() => db.drop());

  it('stores and reads back every column type byte for byte, nulls and large values included', async () => {
    const large = randomBytes(3 * 1024 * 1024);
    const at = new Date('2026-03-29T01:30:00.123Z');
    const rows = [
      [
        1,
        9_007_199_254_740_991n,
        'Grüße, 你好 ✓',
        Buffer.from([0, 255, 0x5c, 0x78]),
        at,
        ['seen', 'oversize'],
      ],
      [2, -5, '', Buffer.alloc(0), new Date(Date.UTC(1999, 11, 31, 23, 59, 59)), []],
      [3, null, null, large, null, null],
    ];
    await db.sql.begin((tx) => copyIn(tx, COPY_IN, encodeBinaryCopy(TYPES, rows)));

    const text = await db.sql<
      { n: number; big: string | null; label: string | null; at: Date | null; tags: string[] | null }[]
    >`
      select n, big::text as big, label, at, tags from copy_probe order by n`;
    expect(text).toEqual([
      { n: 1, big: '9007199254740991', label: 'Grüße, 你好 ✓', at, tags: ['seen', 'oversize'] },
      { n: 2, big: '-5', label: '', at: new Date(Date.UTC(1999, 11, 31, 23, 59, 59)), tags: [] },
      { n: 3, big: null, label: null, at: null, tags: null },
    ]);

    const out = await db.sql.begin((tx) => copyOut(tx, COPY_OUT));
    expect(out.map((r) => r[0]?.readInt32BE())).toEqual([1, 2, 3]);
    expect(out[0]?.[3]).toEqual(Buffer.from([0, 255, 0x5c, 0x78]));
    expect(out[1]?.[3]).toEqual(Buffer.alloc(0));
    expect(out[2]?.[1]).toBeNull();
    expect(out[2]?.[3]?.equals(large)).toBe(true);
  });

  it('rejects with the server error when the data breaks a constraint, and the transaction rolls back', async () => {
    // The violation surfaces after the end of the copy: the case postgres.js alone never settles.
    const rows = [
      [10, 1, 'a', Buffer.from('x'), null, null],
      [10, 2, 'b', Buffer.from('y'), null, null],
    ];
    const attempt = db.sql.begin(async (tx) => {
      await tx`insert into copy_probe (n) values (11)`;
      await copyIn(tx, COPY_IN, encodeBinaryCopy(TYPES, rows));
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    const [left] = await db.sql<
      { count: number }[]
    >`select count(*)::int as count from copy_probe where n in (10, 11)`;
    expect(left?.count).toBe(0);
    // The pool is usable afterwards: no connection was left inside the failed transaction.
    const [ok] = await db.sql<{ one: number }[]>`select 1 as one`;
    expect(ok?.one).toBe(1);
  });

  it('decodes the stream whatever its chunk boundaries', () => {
    const rows = [
      [1, 2, 'one', Buffer.from('first'), null, ['a']],
      [2, null, 'two', randomBytes(10_000), new Date(0), []],
    ];
    const whole = Buffer.concat(encodeBinaryCopy(TYPES, rows));
    for (const step of [1, 7, 4096, whole.length]) {
      const decoder = new BinaryCopyDecoder();
      const decoded: (Buffer | null)[][] = [];
      for (let at = 0; at < whole.length; at += step)
        decoded.push(...decoder.push(whole.subarray(at, at + step)));
      decoder.end();
      expect(decoded).toHaveLength(2);
      expect(decoded[1]?.[3]?.equals(rows[1]?.[3] as Buffer)).toBe(true);
      expect(decoded[0]?.[2]?.toString()).toBe('one');
    }
    const truncated = new BinaryCopyDecoder();
    truncated.push(whole.subarray(0, whole.length - 1));
    expect(() => truncated.end()).toThrow(/before its trailer/);
  });
});
