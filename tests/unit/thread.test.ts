import { describe, expect, it } from 'vitest';
import { resolveThread, type ThreadCandidate, type ThreadingInput } from '../../src/thread/resolve.js';
import { normalizeSubject, parseSubjectTag } from '../../src/thread/subject.js';

describe('normalizeSubject', () => {
  it.each([
    ['Re: Banner sizes', 'banner sizes'],
    ['RE: re: Fwd: Banner sizes', 'banner sizes'],
    ['AW: WG: Etikett', 'etikett'],
    ['SV: Re[2]: Banner sizes', 'banner sizes'],
    ['TR: RV: Banner   sizes ', 'banner sizes'],
    ['[ACME-12 v2] Re: Landing page', 'landing page'],
    ['Re: [ACME-12 v2] Landing page – version 2', 'landing page – version 2'],
    ['Réponse sans préfixe', 'réponse sans préfixe'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });
});

describe('parseSubjectTag', () => {
  it('reads our [CODE vN] tag anywhere in the subject', () => {
    expect(parseSubjectTag('Re: [ACME-12 v2] Landing page')).toEqual({ code: 'ACME-12', version: 2 });
    expect(parseSubjectTag('AW: [HELIOS-1 v10] Etikett')).toEqual({ code: 'HELIOS-1', version: 10 });
  });
  it('ignores look-alikes', () => {
    expect(parseSubjectTag('[acme-12 v2] lower case')).toBeNull();
    expect(parseSubjectTag('[ACME v2] no number')).toBeNull();
    expect(parseSubjectTag('ACME-12 v2 without brackets')).toBeNull();
  });
});

const at = new Date('2026-11-20T12:00:00Z');
const candidate = (threadId: number, clientId: number | null, daysAgo = 1): ThreadCandidate => ({
  threadId,
  clientId,
  lastMessageAt: new Date(at.getTime() - daysAgo * 86_400_000),
});
const input = (over: Partial<ThreadingInput>): ThreadingInput => ({
  clientId: 1,
  receivedAt: at,
  byReference: [],
  bySubjectTag: [],
  bySubject: [],
  subjectWindowDays: 30,
  ...over,
});

describe('resolveThread', () => {
  it('prefers a reference over a subject tag over a subject', () => {
    const decision = resolveThread(
      input({
        byReference: [candidate(10, 1)],
        bySubjectTag: [candidate(20, 1)],
        bySubject: [candidate(30, 1)],
      }),
    );
    expect(decision).toEqual({ kind: 'existing', threadId: 10, rule: 'reference' });
    expect(resolveThread(input({ bySubjectTag: [candidate(20, 1)], bySubject: [candidate(30, 1)] }))).toEqual(
      {
        kind: 'existing',
        threadId: 20,
        rule: 'subject_tag',
      },
    );
    expect(resolveThread(input({ bySubject: [candidate(30, 1)] }))).toEqual({
      kind: 'existing',
      threadId: 30,
      rule: 'subject',
    });
  });

  it('never joins another client by any rule', () => {
    const other = candidate(99, 2);
    expect(resolveThread(input({ byReference: [other], bySubjectTag: [other], bySubject: [other] }))).toEqual(
      {
        kind: 'new',
      },
    );
  });

  it('takes the nearest same-client reference when the first belongs to another client', () => {
    expect(resolveThread(input({ byReference: [candidate(99, 2), candidate(11, 1)] }))).toMatchObject({
      threadId: 11,
    });
  });

  it('matches a subject only inside the window, and never for an unknown client', () => {
    expect(resolveThread(input({ bySubject: [candidate(30, 1, 31)] }))).toEqual({ kind: 'new' });
    expect(resolveThread(input({ bySubject: [candidate(30, 1, 29)] }))).toMatchObject({ threadId: 30 });
    expect(resolveThread(input({ clientId: null, bySubject: [candidate(30, null)] }))).toEqual({
      kind: 'new',
    });
  });

  it('lets an unknown sender join by an explicit reference', () => {
    expect(resolveThread(input({ clientId: null, byReference: [candidate(10, 1)] }))).toMatchObject({
      threadId: 10,
    });
  });
});
