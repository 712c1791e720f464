import { describe, expect, it } from 'vitest';
import { RawHandoff } from '../../src/ingest/raw-handoff.js';

const bytes = (n: number) => Buffer.alloc(n, 1);
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('RawHandoff', () => {
  it('hands each message over once and drops the oldest past its size', () => {
    const handoff = new RawHandoff(100);
    handoff.put(1, bytes(20));
    handoff.put(2, bytes(20));
    expect(handoff.take(1)?.length).toBe(20);
    expect(handoff.take(1)).toBeUndefined();
    for (let id = 3; id <= 8; id++) handoff.put(id, bytes(20));
    expect(handoff.take(2)).toBeUndefined(); // the oldest went first
    expect(handoff.take(8)?.length).toBe(20);
    handoff.put(9, bytes(26)); // over a quarter of the whole: never kept
    expect(handoff.take(9)).toBeUndefined();
  });

  it('holds the sync back until the lanes take what it stored', async () => {
    const handoff = new RawHandoff(40, 60_000);
    handoff.put(1, bytes(10));
    expect(await settled(handoff.room(20))).toBe(true);
    for (let id = 2; id <= 4; id++) handoff.put(id, bytes(10));
    const room = handoff.room(20);
    expect(await settled(room)).toBe(false);
    handoff.take(1);
    expect(await settled(room)).toBe(false); // 30 + 20 do not fit yet
    handoff.take(2);
    expect(await settled(room)).toBe(true);
  });

  it('stops waiting after its longest wait', async () => {
    const handoff = new RawHandoff(20, 20);
    handoff.put(1, bytes(5));
    handoff.put(2, bytes(5));
    handoff.put(3, bytes(5));
    handoff.put(4, bytes(5));
    const started = Date.now();
    await handoff.room(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('drops what another process claimed: entries older than a claim', () => {
    const handoff = new RawHandoff(1000);
    for (let id = 1; id <= 5; id++) handoff.put(id, bytes(10));
    handoff.claimed([4, 5], handoff.mark());
    expect(handoff.take(3)).toBeUndefined();
    expect(handoff.take(4)).toBeDefined();
  });

  it('drops what was put before a claim that got nothing, and keeps what came after', async () => {
    const handoff = new RawHandoff(40, 60_000);
    for (let id = 1; id <= 4; id++) handoff.put(id, bytes(10));
    const room = handoff.room(10);
    const mark = handoff.mark();
    handoff.put(5, bytes(10)); // committed while the claim ran
    handoff.claimed([], mark);
    expect(await settled(room)).toBe(true);
    expect(handoff.take(4)).toBeUndefined();
    expect(handoff.take(5)).toBeDefined();
  });
});
