import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  findReplyToken,
  findReplyTokens,
  isOwnMessageId,
  makeMessageId,
  makeReplyToken,
  replyAddress,
  type TokenKeyring,
  verifyMessageId,
  verifyReplyToken,
} from '../../src/thread/tokens.js';

const KEY = 'test-secret-0123456789abcdefghijklmnop';
const OTHER_KEY = 'another-secret-0123456789abcdefghijkl';
const INBOX = 'studio@brightline.example';
const binding = { versionId: 42, recipientContactId: 7 };
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Every string that differs from `text` in exactly one base32 character. */
function oneCharChanges(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const current = text[i] as string;
    const replacement = ALPHABET[(ALPHABET.indexOf(current) + 1) % ALPHABET.length] as string;
    out.push(text.slice(0, i) + replacement + text.slice(i + 1));
  }
  return out;
}

describe('base32', () => {
  it('round-trips any bytes, lower-case, without padding', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      const text = base32Encode(bytes);
      expect(text).toMatch(/^[a-z2-7]*$/);
      expect(base32Decode(text)).toEqual(bytes);
      expect(base32Decode(text.toUpperCase())).toEqual(bytes);
    }
  });

  it('matches the RFC 4648 test vectors', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(base32Decode('MZXW6YTBOI')?.toString()).toBe('foobar');
  });

  it('refuses foreign characters, padding and non-canonical tails', () => {
    expect(base32Decode('mzxw6ytboi======')).toBeNull();
    expect(base32Decode('mzxw1')).toBeNull();
    expect(base32Decode('mzxw6ytbop')).toBeNull(); // unused trailing bits set
    expect(base32Decode('a')).toBeNull(); // five bits are not a byte
  });
});

describe('reply tokens', () => {
  it('round-trips a binding in a short lower-case token', () => {
    const token = makeReplyToken(KEY, binding);
    expect(token).toMatch(/^[a-z2-7]+$/);
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(token.length).toBeLessThanOrEqual(26);
    expect(verifyReplyToken(KEY, token)).toEqual(binding);
  });

  it('stays at most 24 characters for ids below 16384 and round-trips the largest ids', () => {
    expect(makeReplyToken(KEY, { versionId: 16_383, recipientContactId: 16_383 })).toHaveLength(24);
    const big = { versionId: 2 ** 31 - 1, recipientContactId: 2 ** 31 - 1 };
    expect(verifyReplyToken(KEY, makeReplyToken(KEY, big))).toEqual(big);
    const one = { versionId: 1, recipientContactId: 1 };
    expect(verifyReplyToken(KEY, makeReplyToken(KEY, one))).toEqual(one);
  });

  it('is the same for the same binding and differs per version and per recipient', () => {
    const token = makeReplyToken(KEY, binding);
    expect(makeReplyToken(KEY, binding)).toBe(token);
    expect(makeReplyToken(KEY, { ...binding, versionId: 43 })).not.toBe(token);
    expect(makeReplyToken(KEY, { ...binding, recipientContactId: 8 })).not.toBe(token);
  });

  it('is read case-insensitively (mail systems may change the case of a local part)', () => {
    const token = makeReplyToken(KEY, binding);
    expect(verifyReplyToken(KEY, token.toUpperCase())).toEqual(binding);
  });

  it('refuses every one-character change, in the header, the ids and the mac', () => {
    const token = makeReplyToken(KEY, binding);
    for (const changed of oneCharChanges(token)) expect(verifyReplyToken(KEY, changed)).toBeNull();
  });

  it('refuses a token signed with another key', () => {
    expect(verifyReplyToken(OTHER_KEY, makeReplyToken(KEY, binding))).toBeNull();
    expect(verifyReplyToken(Buffer.from(KEY), makeReplyToken(KEY, binding))).toEqual(binding);
  });

  it('refuses truncated, extended, empty, garbage and very long input without throwing', () => {
    const token = makeReplyToken(KEY, binding);
    for (const bad of [
      token.slice(0, -1),
      token.slice(0, -2),
      token.slice(0, 8),
      `${token}a`,
      `${token}aa`,
      '',
      'hello',
      '!!!!',
      'ünïcödé',
      `${token}=`,
      'a'.repeat(10_000),
      '7'.repeat(24),
      null as unknown as string,
      undefined as unknown as string,
    ]) {
      expect(verifyReplyToken(KEY, bad)).toBeNull();
    }
  });

  it('refuses ids that cannot be signed', () => {
    for (const versionId of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => makeReplyToken(KEY, { versionId, recipientContactId: 1 })).toThrow(RangeError);
    }
  });

  it('verifies with a rotated keyring by the key id in the token', () => {
    const old: TokenKeyring = { current: { id: 1, secret: KEY } };
    const rotated: TokenKeyring = {
      current: { id: 2, secret: OTHER_KEY },
      previous: [{ id: 1, secret: KEY }],
    };
    const oldToken = makeReplyToken(old, binding);
    expect(verifyReplyToken(rotated, oldToken)).toEqual(binding);
    expect(verifyReplyToken(rotated, makeReplyToken(rotated, binding))).toEqual(binding);
    // Once the old key is retired, its tokens stop verifying.
    expect(verifyReplyToken({ current: { id: 2, secret: OTHER_KEY } }, oldToken)).toBeNull();
    // The same secret under another id is another key.
    expect(verifyReplyToken({ current: { id: 3, secret: KEY } }, oldToken)).toBeNull();
  });

  it('refuses a key id outside 0-15', () => {
    expect(() => makeReplyToken({ current: { id: 16, secret: KEY } }, binding)).toThrow(RangeError);
  });
});

describe('reply addresses', () => {
  const token = makeReplyToken(KEY, binding);

  it('plus-addresses the inbox', () => {
    expect(replyAddress(INBOX, token)).toBe(`studio+${token}@brightline.example`);
    expect(() => replyAddress('no-at-sign', token)).toThrow(RangeError);
  });

  it('finds the token in any of the recipient addresses', () => {
    expect(
      findReplyToken(
        KEY,
        ['maya@brightline.example', 'sarah@acme.example', replyAddress(INBOX, token)],
        INBOX,
      ),
    ).toEqual(binding);
  });

  it('compares the address case-insensitively', () => {
    expect(findReplyToken(KEY, [replyAddress(INBOX, token).toUpperCase()], INBOX)).toEqual(binding);
    expect(findReplyToken(KEY, [replyAddress(INBOX, token)], 'Studio@BrightLine.example')).toEqual(binding);
    expect(findReplyToken(KEY, [`<${replyAddress(INBOX, token)}>`], INBOX)).toEqual(binding);
  });

  it('ignores the token at another domain or another local part', () => {
    expect(findReplyToken(KEY, [`studio+${token}@elsewhere.example`], INBOX)).toBeNull();
    expect(findReplyToken(KEY, [`maya+${token}@brightline.example`], INBOX)).toBeNull();
    expect(findReplyToken(KEY, [`studios+${token}@brightline.example`], INBOX)).toBeNull();
    expect(findReplyToken(KEY, [`${token}@brightline.example`], INBOX)).toBeNull();
  });

  it('ignores forged tokens and keeps the valid one', () => {
    const forged = oneCharChanges(token).map((t) => `studio+${t}@brightline.example`);
    expect(findReplyToken(KEY, forged, INBOX)).toBeNull();
    expect(findReplyToken(KEY, [...forged, replyAddress(INBOX, token)], INBOX)).toEqual(binding);
  });

  it('finds the same token named twice once', () => {
    const address = replyAddress(INBOX, token);
    expect(findReplyTokens(KEY, [address, address.toUpperCase()], INBOX)).toEqual([binding]);
  });

  it('refuses to choose between two different valid tokens', () => {
    const other = makeReplyToken(KEY, { versionId: 41, recipientContactId: 7 });
    const addresses = [replyAddress(INBOX, token), replyAddress(INBOX, other)];
    expect(findReplyTokens(KEY, addresses, INBOX)).toHaveLength(2);
    expect(findReplyToken(KEY, addresses, INBOX)).toBeNull();
  });

  it('returns null for no addresses, garbage addresses and a bad inbox, without throwing', () => {
    expect(findReplyToken(KEY, [], INBOX)).toBeNull();
    expect(findReplyToken(KEY, ['', '@', 'studio+@brightline.example', 'x'.repeat(5000)], INBOX)).toBeNull();
    expect(findReplyToken(KEY, [replyAddress(INBOX, token)], 'not-an-address')).toBeNull();
  });
});

describe('signed Message-IDs', () => {
  const input = { ...binding, domain: 'brightline.example' };

  it('round-trips the binding in a sig- Message-ID at our domain', () => {
    const id = makeMessageId(KEY, input);
    expect(id).toMatch(/^sig-[a-z2-7]+@brightline\.example$/);
    expect(verifyMessageId(KEY, id)).toEqual(binding);
    expect(verifyMessageId(KEY, `<${id}>`)).toEqual(binding);
    expect(verifyMessageId(KEY, ` <${id}> `)).toEqual(binding);
    expect(isOwnMessageId(KEY, id)).toBe(true);
  });

  it('gives two sends of the same version to the same person distinct ids that both verify', () => {
    const a = makeMessageId(KEY, input);
    const b = makeMessageId(KEY, input);
    expect(a).not.toBe(b);
    expect(verifyMessageId(KEY, a)).toEqual(binding);
    expect(verifyMessageId(KEY, b)).toEqual(binding);
  });

  it('is read case-insensitively', () => {
    const id = makeMessageId(KEY, { ...input, domain: 'BrightLine.Example' });
    expect(id.endsWith('@brightline.example')).toBe(true);
    expect(verifyMessageId(KEY, id.toUpperCase())).toEqual(binding);
  });

  it('refuses every one-character change of the signed part', () => {
    const id = makeMessageId(KEY, input);
    const local = id.slice('sig-'.length, id.indexOf('@'));
    for (const changed of oneCharChanges(local)) {
      expect(verifyMessageId(KEY, `sig-${changed}@brightline.example`)).toBeNull();
    }
  });

  it('refuses the id moved to another domain, or with another prefix', () => {
    const id = makeMessageId(KEY, input);
    expect(verifyMessageId(KEY, id.replace('@brightline.example', '@evil.example'))).toBeNull();
    expect(verifyMessageId(KEY, id.replace('@brightline.example', '@brightline.example.evil'))).toBeNull();
    expect(verifyMessageId(KEY, id.replace(/^sig-/, 'sag-'))).toBeNull();
    expect(verifyMessageId(KEY, id.replace(/^sig-/, ''))).toBeNull();
  });

  it('refuses a Message-ID signed with another key, or one we never signed', () => {
    expect(verifyMessageId(OTHER_KEY, makeMessageId(KEY, input))).toBeNull();
    expect(isOwnMessageId(KEY, 'CAF=abc123@mail.gmail.com')).toBe(false);
    expect(
      isOwnMessageId(KEY, 'sig-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@brightline.example'),
    ).toBe(false);
  });

  it('never takes a reply token for a Message-ID or the other way round', () => {
    const token = makeReplyToken(KEY, binding);
    expect(verifyMessageId(KEY, `sig-${token}@brightline.example`)).toBeNull();
    const id = makeMessageId(KEY, input);
    expect(verifyReplyToken(KEY, id.slice('sig-'.length, id.indexOf('@')))).toBeNull();
  });

  it('refuses truncated, garbage and very long ids without throwing', () => {
    const id = makeMessageId(KEY, input);
    const at = id.indexOf('@');
    for (const bad of [
      `${id.slice(0, at - 1)}${id.slice(at)}`,
      `${id.slice(0, at - 3)}${id.slice(at)}`,
      id.slice(0, at),
      'sig-@brightline.example',
      'sig-!!!@brightline.example',
      '<>',
      '',
      '@',
      `sig-${'a'.repeat(100_000)}@brightline.example`,
      `${id}${'x'.repeat(1000)}`,
      null as unknown as string,
    ]) {
      expect(verifyMessageId(KEY, bad)).toBeNull();
      expect(isOwnMessageId(KEY, bad)).toBe(false);
    }
  });

  it('refuses to sign for something that is not a domain', () => {
    expect(() => makeMessageId(KEY, { ...binding, domain: 'bad domain' })).toThrow(RangeError);
    expect(() => makeMessageId(KEY, { ...binding, domain: '' })).toThrow(RangeError);
  });
});
