import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed reply tokens and signed Message-IDs: how a reply is tied to the exact version and recipient
 * it answers, without anyone being able to forge that tie. Pure apart from the random nonce.
 *
 * Format (version 1), all of it base32 lower-case without padding, because mail systems may change
 * the case of an address's local part (tokens are therefore read case-insensitively):
 *
 *   reply token   base32( header | varint versionId | varint recipientContactId | mac[10] )
 *   Message-ID    sig-base32( header | varint versionId | varint recipientContactId | nonce[8] | mac[16] )@domain
 *
 * - header: one byte, the high four bits the format version (1), the low four the key id (0-15), so
 *   keys and the format can rotate: a keyring verifies with the key its id names.
 * - varint: unsigned LEB128, 1-5 bytes per id (ids up to 2^31 - 1).
 * - mac: HMAC-SHA256 truncated, under a key derived per purpose from the secret ("reply-token" or
 *   "message-id"), so a token of one kind never verifies as the other. The Message-ID mac also covers
 *   the lower-cased domain, so moving an id to another domain breaks it.
 * - nonce: eight random bytes, so two sends of one version to one person get distinct Message-IDs.
 *
 * Sizes: a reply token is 21 characters for ids below 128, 24 below 16384, 34 at most (80-bit mac:
 * guessing one by mail is hopeless); a Message-ID local part is 48-60 characters (128-bit mac).
 */

export interface TokenKey {
  /** 0-15, written into every token so a rotated key can still verify what it signed. */
  id: number;
  secret: string | Buffer;
}

export interface TokenKeyring {
  /** Signs new tokens and verifies tokens that name its id. */
  current: TokenKey;
  /** Older keys, verify only. */
  previous?: TokenKey[];
}

/** A bare secret is a keyring with one key, id 0. */
export type TokenKeys = string | Buffer | TokenKeyring;

export interface ReplyBinding {
  versionId: number;
  recipientContactId: number;
}

export interface MessageIdInput extends ReplyBinding {
  domain: string;
}

const FORMAT = 1;
const REPLY_MAC_BYTES = 10;
const MESSAGE_ID_MAC_BYTES = 16;
const NONCE_BYTES = 8;
const MESSAGE_ID_PREFIX = 'sig-';
/** Longer input is not ours: refused before any decoding work. */
const MAX_TOKEN_CHARS = 64;
const MAX_MESSAGE_ID_CHARS = 320;

type Purpose = 'reply-token' | 'message-id';

// --- base32, RFC 4648 alphabet, lower-case, no padding -------------------------------------------

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const DECODE = new Map([...ALPHABET].map((c, i) => [c, i]));

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Case-insensitive; null on a foreign character or a non-canonical tail (unused bits must be zero). */
export function base32Decode(text: string): Buffer | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.toLowerCase()) {
    const value = DECODE.get(char);
    if (value === undefined) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 255);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits >= 5 || buffer !== 0) return null;
  return Buffer.from(out);
}

// --- varint ---------------------------------------------------------------------------------------

function assertId(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new RangeError(`${name} must be an integer from 1 to 2^31 - 1, got ${value}`);
  }
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** Reads one canonical varint at `offset`; null if malformed, overlong or out of range. */
function readVarint(bytes: Buffer, offset: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) return null; // overlong
      if (value < 1 || value > 0x7fffffff) return null;
      return { value, next: offset + i + 1 };
    }
  }
  return null;
}

// --- keys and macs --------------------------------------------------------------------------------

function keyring(keys: TokenKeys): TokenKeyring {
  return typeof keys === 'string' || Buffer.isBuffer(keys) ? { current: { id: 0, secret: keys } } : keys;
}

function signingKey(keys: TokenKeys): TokenKey {
  const key = keyring(keys).current;
  if (!Number.isInteger(key.id) || key.id < 0 || key.id > 15) {
    throw new RangeError(`token key id must be 0-15, got ${key.id}`);
  }
  if (key.secret.length === 0) throw new RangeError('token key secret is empty');
  return key;
}

function keyById(keys: TokenKeys, id: number): TokenKey | null {
  const ring = keyring(keys);
  const found = [ring.current, ...(ring.previous ?? [])].find((k) => k.id === id);
  return found && found.secret.length > 0 ? found : null;
}

function mac(key: TokenKey, purpose: Purpose, data: Buffer, bytes: number, domain = ''): Buffer {
  const derived = createHmac('sha256', key.secret).update(`signoff:thread-token:${purpose}`).digest();
  return createHmac('sha256', derived).update(data).update(`\0${domain}`).digest().subarray(0, bytes);
}

function header(keyId: number): number {
  return (FORMAT << 4) | keyId;
}

/** The binding signed in `bytes`, or null: wrong format, unknown key, extra or missing bytes, bad mac. */
function open(
  keys: TokenKeys,
  purpose: Purpose,
  bytes: Buffer,
  extraBytes: number,
  macBytes: number,
  domain = '',
): ReplyBinding | null {
  const head = bytes[0];
  if (head === undefined || head >> 4 !== FORMAT) return null;
  const key = keyById(keys, head & 15);
  if (!key) return null;
  const version = readVarint(bytes, 1);
  if (!version) return null;
  const recipient = readVarint(bytes, version.next);
  if (!recipient) return null;
  const signedLength = recipient.next + extraBytes;
  if (bytes.length !== signedLength + macBytes) return null;
  const expected = mac(key, purpose, bytes.subarray(0, signedLength), macBytes, domain);
  if (!timingSafeEqual(expected, bytes.subarray(signedLength))) return null;
  return { versionId: version.value, recipientContactId: recipient.value };
}

// --- reply tokens ---------------------------------------------------------------------------------

export function makeReplyToken(keys: TokenKeys, binding: ReplyBinding): string {
  assertId('versionId', binding.versionId);
  assertId('recipientContactId', binding.recipientContactId);
  const key = signingKey(keys);
  const signed = Buffer.from([
    header(key.id),
    ...varint(binding.versionId),
    ...varint(binding.recipientContactId),
  ]);
  return base32Encode(Buffer.concat([signed, mac(key, 'reply-token', signed, REPLY_MAC_BYTES)]));
}

/** The binding of a reply token (any case), or null when it is not one we signed. Never throws. */
export function verifyReplyToken(keys: TokenKeys, token: string): ReplyBinding | null {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) return null;
  const bytes = base32Decode(token);
  return bytes ? open(keys, 'reply-token', bytes, 0, REPLY_MAC_BYTES) : null;
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** `studio@brightline.example` + token -> `studio+<token>@brightline.example`. */
export function replyAddress(inboxAddress: string, token: string): string {
  const parts = splitAddress(inboxAddress.trim());
  if (!parts) throw new RangeError(`inbox address has no local part and domain: ${inboxAddress}`);
  return `${parts.local}+${token}@${parts.domain}`;
}

/**
 * Every distinct verified binding among the recipient addresses (To, Cc, Delivered-To,
 * X-Original-To): `<inbox local>+<token>@<inbox domain>`, compared case-insensitively.
 */
export function findReplyTokens(keys: TokenKeys, addresses: string[], inboxAddress: string): ReplyBinding[] {
  const inbox = splitAddress(inboxAddress.trim().toLowerCase());
  if (!inbox) return [];
  const prefix = `${inbox.local}+`;
  const found: ReplyBinding[] = [];
  for (const raw of addresses) {
    if (typeof raw !== 'string' || raw.length > 512) continue;
    const address = splitAddress(raw.trim().replace(/^<|>$/g, '').toLowerCase());
    if (!address || address.domain !== inbox.domain || !address.local.startsWith(prefix)) continue;
    const binding = verifyReplyToken(keys, address.local.slice(prefix.length));
    if (
      binding &&
      !found.some(
        (b) => b.versionId === binding.versionId && b.recipientContactId === binding.recipientContactId,
      )
    ) {
      found.push(binding);
    }
  }
  return found;
}

/**
 * The one binding the recipient addresses carry, or null: no valid token, or valid tokens that
 * disagree (then the reply is not tied to a version by token at all; the other threading rules and
 * the needs-confirmation queue take over, never a guess between two versions).
 */
export function findReplyToken(
  keys: TokenKeys,
  addresses: string[],
  inboxAddress: string,
): ReplyBinding | null {
  const found = findReplyTokens(keys, addresses, inboxAddress);
  return found.length === 1 ? (found[0] ?? null) : null;
}

// --- Message-IDs ----------------------------------------------------------------------------------

/** A signed Message-ID, returned without angle brackets: `sig-<base32>@<domain>`. */
export function makeMessageId(keys: TokenKeys, input: MessageIdInput): string {
  assertId('versionId', input.versionId);
  assertId('recipientContactId', input.recipientContactId);
  const domain = input.domain.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(domain)) {
    throw new RangeError(`not a domain for a Message-ID: ${input.domain}`);
  }
  const key = signingKey(keys);
  const signed = Buffer.concat([
    Buffer.from([header(key.id), ...varint(input.versionId), ...varint(input.recipientContactId)]),
    randomBytes(NONCE_BYTES),
  ]);
  const tag = mac(key, 'message-id', signed, MESSAGE_ID_MAC_BYTES, domain);
  return `${MESSAGE_ID_PREFIX}${base32Encode(Buffer.concat([signed, tag]))}@${domain}`;
}

/** The binding of a Message-ID we signed (with or without angle brackets, any case), or null. Never throws. */
export function verifyMessageId(keys: TokenKeys, id: string): ReplyBinding | null {
  if (typeof id !== 'string' || id.length > MAX_MESSAGE_ID_CHARS) return null;
  const parts = splitAddress(id.trim().replace(/^<|>$/g, '').toLowerCase());
  if (!parts?.local.startsWith(MESSAGE_ID_PREFIX)) return null;
  const bytes = base32Decode(parts.local.slice(MESSAGE_ID_PREFIX.length));
  return bytes ? open(keys, 'message-id', bytes, NONCE_BYTES, MESSAGE_ID_MAC_BYTES, parts.domain) : null;
}

/** For automated-mail detection: is this one of our own (signed) Message-IDs coming back? */
export function isOwnMessageId(keys: TokenKeys, id: string): boolean {
  return verifyMessageId(keys, id) !== null;
}
