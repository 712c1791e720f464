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
    // every prefix family, one per language
    ['Fw: Banner sizes', 'banner sizes'],
    ['FWD: Banner sizes', 'banner sizes'],
    ['Antw: Poster', 'poster'],
    ['Antwort: Poster', 'poster'],
    ['Doorst: Poster', 'poster'],
    ['VS: Juliste', 'juliste'],
    ['VL: Juliste', 'juliste'],
    ['VB: Affisch', 'affisch'],
    ['R: Locandina', 'locandina'],
    ['Rif: Locandina', 'locandina'],
    ['I: Locandina', 'locandina'],
    ['ENC: Cartaz', 'cartaz'],
    ['RES: Cartaz', 'cartaz'],
    ['Réf : Affiche', 'affiche'],
    ['Odp: Plakat', 'plakat'],
    ['PD: Plakat', 'plakat'],
    ['YNT: Afiş', 'afiş'],
    ['İLT: Afiş', 'afiş'],
    ['Vá: Plakát', 'plakát'],
    ['ΑΠ: Αφίσα', 'αφίσα'],
    ['回复：海报', '海报'],
    ['转发: 海报', '海报'],
    // repeated, counted and bracketed
    ['RE: AW: Fwd: Banner sizes', 'banner sizes'],
    ['Re[2]: Banner sizes', 'banner sizes'],
    ['Re(3): Banner sizes', 'banner sizes'],
    ['RE [2]: Banner sizes', 'banner sizes'],
    ['Re^2: Banner sizes', 'banner sizes'],
    ['Re:Re:Fwd:Banner sizes', 'banner sizes'],
    ['Re : Banner sizes', 'banner sizes'],
    ['[EXTERNAL] RE: [acme-team] AW: Banner sizes', 'banner sizes'],
    ['[Fwd: Banner sizes]', 'banner sizes'],
    ['Banner sizes (fwd)', 'banner sizes'],
    ['Landing page [ACME-12 v2]', 'landing page'],
    ['Re: Landing page [ACME-12 v2] – final', 'landing page – final'],
    // not prefixes
    ['Reorder: banner sizes', 'reorder: banner sizes'],
    ['Review: banner sizes', 'review: banner sizes'],
    ['[Urgent]', '[urgent]'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });

  it('treats the decomposed and composed forms of a letter alike', () => {
    expect(normalizeSubject('Re: Re\u0301sume\u0301')).toBe(normalizeSubject('Résumé'));
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

type Rule = 'token' | 'signed_reference' | 'reference' | 'subject_tag' | 'subject';
const RULES: Rule[] = ['token', 'signed_reference', 'reference', 'subject_tag', 'subject'];
const FIELD: Record<Rule, 'byToken' | 'bySignedReference' | 'byReference' | 'bySubjectTag' | 'bySubject'> = {
  token: 'byToken',
  signed_reference: 'bySignedReference',
  reference: 'byReference',
  subject_tag: 'bySubjectTag',
  subject: 'bySubject',
};
const THREAD: Record<Rule, number> = {
  token: 1,
  signed_reference: 2,
  reference: 3,
  subject_tag: 4,
  subject: 5,
};

describe('resolveThread: the rules of the product design, in order', () => {
  it.each(RULES)('%s alone joins its thread', (rule) => {
    expect(resolveThread(input({ [FIELD[rule]]: [candidate(THREAD[rule], 1)] }))).toEqual({
      kind: 'existing',
      threadId: THREAD[rule],
      rule,
    });
  });

  const pairs = RULES.flatMap((stronger, i) =>
    RULES.slice(i + 1).map((weaker) => [stronger, weaker] as const),
  );
  it.each(pairs)('%s wins over %s', (stronger, weaker) => {
    const decision = resolveThread(
      input({
        [FIELD[stronger]]: [candidate(THREAD[stronger], 1)],
        [FIELD[weaker]]: [candidate(THREAD[weaker], 1)],
      }),
    );
    expect(decision).toEqual({ kind: 'existing', threadId: THREAD[stronger], rule: stronger });
  });

  it('takes the token first when every rule has a candidate', () => {
    const all = Object.fromEntries(RULES.map((r) => [FIELD[r], [candidate(THREAD[r], 1)]]));
    expect(resolveThread(input(all))).toMatchObject({ rule: 'token', threadId: 1 });
  });

  it.each(RULES)('%s never joins a thread of another client', (rule) => {
    expect(resolveThread(input({ [FIELD[rule]]: [candidate(99, 2)] }))).toEqual({ kind: 'new' });
  });

  it.each(RULES.slice(0, -1))(
    '%s of another client falls through to the next rule of the same client',
    (rule) => {
      const next = RULES[RULES.indexOf(rule) + 1] as Rule;
      const decision = resolveThread(
        input({ [FIELD[rule]]: [candidate(99, 2)], [FIELD[next]]: [candidate(THREAD[next], 1)] }),
      );
      expect(decision).toEqual({ kind: 'existing', threadId: THREAD[next], rule: next });
    },
  );

  it.each(['token', 'signed_reference'] as const)(
    '%s takes the first same-client candidate after one of another client',
    (rule) => {
      expect(
        resolveThread(input({ [FIELD[rule]]: [candidate(99, 2), candidate(THREAD[rule], 1)] })),
      ).toMatchObject({ threadId: THREAD[rule], rule });
    },
  );

  it.each(['token', 'signed_reference', 'reference', 'subject_tag'] as const)(
    '%s lets a sender of unknown client join (a colleague writing from another address)',
    (rule) => {
      expect(resolveThread(input({ clientId: null, [FIELD[rule]]: [candidate(THREAD[rule], 1)] }))).toEqual({
        kind: 'existing',
        threadId: THREAD[rule],
        rule,
      });
    },
  );

  it('threads as before when the caller gives no token or signed-reference candidates', () => {
    const legacy: ThreadingInput = {
      clientId: 1,
      receivedAt: at,
      byReference: [candidate(3, 1)],
      bySubjectTag: [],
      bySubject: [],
      subjectWindowDays: 30,
    };
    expect(resolveThread(legacy)).toEqual({ kind: 'existing', threadId: 3, rule: 'reference' });
    expect(resolveThread({ ...legacy, byToken: [], bySignedReference: [] })).toMatchObject({
      rule: 'reference',
    });
  });
});
