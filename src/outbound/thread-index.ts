import { createHash } from 'node:crypto';

/**
 * Outlook's Thread-Index header (the MAPI conversation index, [MS-OXOMSG] 2.2.1.3), base64 encoded.
 * Outlook groups a conversation by Thread-Topic and orders it by Thread-Index; without them a reply
 * can land beside the original instead of under it. Pure: the time and the seed are inputs.
 *
 * Header block, 22 bytes: the top 48 bits of the FILETIME (100 ns intervals since 1601, big-endian;
 * the first byte is the "reserved 0x01" of the specification for every date from 1829 to 2057),
 * then a 16-byte GUID naming the conversation. Each reply appends a 5-byte child block.
 */

/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const HEADER_BYTES = 22;
const CHILD_BYTES = 5;

export function toFiletime(date: Date): bigint {
  return BigInt(date.getTime()) * 10_000n + FILETIME_UNIX_EPOCH;
}

/**
 * A GUID derived from a seed (our Message-ID), so composing the same message twice gives the same
 * bytes. Marked as an RFC 9562 version 8 (custom) UUID with the RFC variant.
 */
export function guidFromSeed(seed: string): Buffer {
  const guid = Buffer.from(
    createHash('sha256').update(`signoff-thread-index:${seed}`).digest().subarray(0, 16),
  );
  guid[6] = ((guid[6] ?? 0) & 0x0f) | 0x80;
  guid[8] = ((guid[8] ?? 0) & 0x3f) | 0x80;
  return guid;
}

/** The Thread-Index of a message that starts a conversation. */
export function newThreadIndex(date: Date, guid: Uint8Array): string {
  if (guid.length !== 16) throw new RangeError('A Thread-Index GUID has 16 bytes');
  const bytes = Buffer.alloc(HEADER_BYTES);
  // 48 bits fit a double exactly.
  bytes.writeUIntBE(Number(toFiletime(date) >> 16n), 0, 6);
  bytes.set(guid, 6);
  return bytes.toString('base64');
}

/** Decodes a Thread-Index value; null when it is not a header block plus whole child blocks. */
export function decodeThreadIndex(value: string): Buffer | null {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length < HEADER_BYTES || (bytes.length - HEADER_BYTES) % CHILD_BYTES !== 0) return null;
  return bytes;
}

/**
 * The Thread-Index of a reply: the parent's value plus one child block (delta-code bit, 31 bits of
 * time since the conversation started, 4 random bits, 4 sequence bits). The random nibble comes from
 * the seed so the result is deterministic. Null when the parent's value is not a valid index.
 */
export function replyThreadIndex(parent: string, date: Date, seed: string): string | null {
  const bytes = decodeThreadIndex(parent);
  if (!bytes) return null;
  const started = BigInt(bytes.readUIntBE(0, 6)) << 16n;
  let delta = toFiletime(date) - started;
  if (delta < 0n) delta = 0n;
  // Short deltas (under about 1.8 years) keep bits 48..18; longer ones bits 53..23 with the code bit set.
  const short = delta < 1n << 49n;
  const shifted = short ? delta >> 18n : delta >> 23n;
  const time = Number(shifted > 0x7fff_ffffn ? 0x7fff_ffffn : shifted);
  const random = (createHash('sha256').update(`signoff-thread-index:${seed}`).digest()[0] ?? 0) & 0x0f;
  const sequence = ((bytes.length - HEADER_BYTES) / CHILD_BYTES) & 0x0f;
  const child = Buffer.alloc(CHILD_BYTES);
  child.writeUInt32BE(((short ? 0 : 0x8000_0000) | time) >>> 0, 0);
  child[4] = (random << 4) | sequence;
  return Buffer.concat([bytes, child]).toString('base64');
}
