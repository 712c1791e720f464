import type { ListResponse } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/mailsource/backoff.js';
import { compactRange, resolveFolders } from '../../src/mailsource/imap-sync.js';
import { batchBySize, planFolderSync } from '../../src/mailsource/sync-plan.js';

const now = new Date('2026-11-25T12:00:00Z');
const status = { uidValidity: 7n, uidNext: 101, exists: 100 };

describe('planFolderSync', () => {
  it('takes the backfill window on a first sync', () => {
    expect(planFolderSync({ uidvalidity: null, lastUid: 0 }, status, now, 90)).toEqual({
      kind: 'initial',
      since: new Date('2026-08-27T12:00:00Z'),
      reason: 'first_sync',
    });
  });
  it('starts over when UIDVALIDITY changed', () => {
    expect(planFolderSync({ uidvalidity: 6n, lastUid: 100 }, status, now, 90)).toMatchObject({
      kind: 'initial',
      reason: 'uidvalidity_changed',
    });
  });
  it('fetches above the cursor, and nothing when nothing is new', () => {
    expect(planFolderSync({ uidvalidity: 7n, lastUid: 90 }, status, now, 90)).toEqual({
      kind: 'range',
      fromUid: 91,
    });
    expect(planFolderSync({ uidvalidity: 7n, lastUid: 100 }, status, now, 90)).toEqual({ kind: 'none' });
    expect(planFolderSync({ uidvalidity: 7n, lastUid: 0 }, { ...status, exists: 0 }, now, 90)).toEqual({
      kind: 'none',
    });
  });
});

describe('batchBySize', () => {
  it('bounds batches by count and bytes, sorted by UID, a huge message alone', () => {
    const items = [
      { uid: 5, size: 10 },
      { uid: 1, size: 10 },
      { uid: 2, size: 1000 },
      { uid: 3, size: 10 },
      { uid: 4, size: 10 },
    ];
    expect(batchBySize(items, 2, 100)).toEqual([[1], [2], [3, 4], [5]]);
    expect(batchBySize([], 2, 100)).toEqual([]);
  });
});

describe('compactRange', () => {
  it('writes runs as ranges', () => {
    expect(compactRange([9, 1, 2, 3, 7, 10, 3])).toBe('1:3,7,9:10');
    expect(compactRange([42])).toBe('42');
  });
});

describe('resolveFolders', () => {
  const list = [
    { path: 'INBOX', specialUse: '\\Inbox' },
    { path: 'Gesendete Elemente', specialUse: '\\Sent' },
    { path: 'Clients/Acme' },
  ] as ListResponse[];
  it('maps INBOX, special uses and paths, marking Sent as outbound', () => {
    expect(resolveFolders(['inbox', '\\Sent', 'Clients/Acme', 'Missing'], list)).toEqual([
      { path: 'INBOX', specialUse: '\\Inbox', direction: 'inbound', name: 'inbox' },
      { path: 'Gesendete Elemente', specialUse: '\\Sent', direction: 'outbound', name: '\\Sent' },
      { path: 'Clients/Acme', specialUse: null, direction: 'inbound', name: 'Clients/Acme' },
    ]);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially with equal jitter and is capped at five minutes', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(500);
    expect(backoffDelayMs(0, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, () => 0.5)).toBe(6000);
    expect(backoffDelayMs(50, () => 1)).toBe(300_000);
    expect(backoffDelayMs(50, () => 0)).toBe(150_000);
  });
});
