import { createHash, randomBytes } from 'node:crypto';
import { type AddressObject, type Attachment, type EmailAddress, simpleParser } from 'mailparser';
import { AppError } from '../errors.js';
import { type Base64Body, type Digest, headerBlock } from './inspect.js';

/**
 * bytes -> ParsedEmail. The only module that imports mailparser (in maintenance mode upstream), so
 * swapping the MIME parser touches this file alone.
 */

export interface Address {
  address: string;
  name: string;
}

export interface AttachmentMeta {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  sha256: string;
}

export type FromAmbiguity =
  | 'missing'
  | 'several_from_headers'
  | 'several_addresses'
  | 'group'
  | 'encoded_word_address'
  | 'differs_from_reply_to'
  | 'differs_from_sender';

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  date: Date | null;
  /** Identity is the single From mailbox; anything that makes it doubtful is listed in fromAmbiguity. */
  from: Address | null;
  fromAmbiguity: FromAmbiguity[];
  replyTo: Address[];
  sender: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  deliveredTo: string[];
  originalTo: string[];
  text: string | null;
  html: string | null;
  attachments: AttachmentMeta[];
  /** Raw header values by lower-case name, unfolded, in order of appearance. */
  headers: Map<string, string[]>;
  contentType: string;
  /**
   * Machine-readable report parts (RFC 6522: delivery status, feedback report, disposition notification)
   * and the header block of every returned or attached message, for bounce and feedback handling.
   * Optional so that hand-built values stay valid; parseEmail always sets it.
   */
  reportParts?: ReportPart[];
}

export interface ReportPart {
  /** Lower-case MIME type, e.g. `message/delivery-status`, `message/rfc822`, `text/rfc822-headers`. */
  contentType: string;
  /** Decoded text, at most REPORT_PART_MAX_CHARS; for an embedded message only its header block. */
  text: string;
}

export interface ParseLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 50 * 1024 * 1024, timeoutMs: 30_000 };

export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** `sarah@acme.example` -> `acme.example`; null without a local part and a domain. */
export function domainOf(address: string | null | undefined): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at > 0 && at < address.length - 1 ? address.slice(at + 1) : null;
}

/** `<a@b>` -> `a@b`; Message-IDs are compared without angle brackets and whitespace. */
export function normalizeMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const match = /<([^<>\s]+)>/.exec(value);
  const id = (match?.[1] ?? value).trim();
  return id.length > 0 && !/\s/.test(id) ? id : null;
}

function messageIdList(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const ids = [...joined.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
  if (ids.length > 0) return ids;
  return joined
    .split(/[\s,]+/)
    .map((v) => normalizeMessageId(v))
    .filter((v): v is string => v !== null);
}

function flatten(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((o) => o.value);
}

function toAddresses(list: EmailAddress[]): Address[] {
  const out: Address[] = [];
  for (const entry of list) {
    if (entry.group) out.push(...toAddresses(entry.group));
    else if (entry.address) out.push({ address: normalizeAddress(entry.address), name: entry.name ?? '' });
  }
  return out;
}

function rawHeaders(lines: readonly { key: string; line: string }[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    const name = key.toLowerCase();
    const existing = headers.get(name);
    if (existing) existing.push(value);
    else headers.set(name, [value]);
  }
  return headers;
}

export const REPORT_PART_MAX_CHARS = 64 * 1024;
const REPORT_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'message/feedback-report',
  'message/disposition-notification',
  'message/global-disposition-notification',
]);
const EMBEDDED_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);
// A part header block declaring an embedded message, up to the empty line that ends it.
const EMBEDDED_PART =
  /(?:^|\n)content-type:[ \t]*(?:message\/rfc822|message\/global|text\/rfc822-headers|message\/global-headers)(?=[\s;])[^\n]*\n(?:[^\r\n][^\n]*\n)*?\r?\n/gi;
const RAW_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * mailparser hands report parts and embedded messages over as attachments, except a `message/rfc822`
 * part marked `Content-Disposition: inline`: that one it renders into `text` with From and Subject
 * only, and the returned message's Message-ID, the one thing a bounce must be linked by, is lost.
 * For a multipart/report without an embedded header block, the raw bytes are scanned for it.
 */
function reportParts(
  attachments: readonly { contentType: string; content: Buffer }[],
  contentType: string,
  bytes: Buffer,
): ReportPart[] {
  const parts: ReportPart[] = [];
  for (const a of attachments) {
    const type = a.contentType.toLowerCase();
    const report = REPORT_TYPES.has(type);
    if (!report && !EMBEDDED_TYPES.has(type)) continue;
    const text = a.content.subarray(0, REPORT_PART_MAX_CHARS).toString('utf8');
    parts.push({ contentType: type, text: report ? text : headerBlock(text) });
  }
  if (contentType === 'multipart/report' && !parts.some((p) => EMBEDDED_TYPES.has(p.contentType))) {
    const raw = bytes.subarray(0, RAW_SCAN_BYTES).toString('latin1');
    for (const match of raw.matchAll(EMBEDDED_PART)) {
      const start = (match.index ?? 0) + match[0].length;
      const block = headerBlock(raw.slice(start, start + REPORT_PART_MAX_CHARS));
      if (block.trim()) parts.push({ contentType: 'message/rfc822', text: block });
      if (parts.length >= 8) break;
    }
  }
  return parts;
}

function headerAddresses(headers: Map<string, string[]>, name: string): string[] {
  return (headers.get(name) ?? [])
    .flatMap((v) => [...v.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map((m) => normalizeAddress(m[0])))
    .filter((v, i, all) => all.indexOf(v) === i);
}

function fromAmbiguities(
  headers: Map<string, string[]>,
  fromList: EmailAddress[],
  replyTo: Address[],
  sender: Address | null,
): { from: Address | null; reasons: FromAmbiguity[] } {
  const reasons: FromAmbiguity[] = [];
  const fromHeaders = headers.get('from') ?? [];
  if (fromHeaders.length > 1) reasons.push('several_from_headers');
  if (fromList.some((e) => e.group)) reasons.push('group');
  const addresses = toAddresses(fromList);
  if (addresses.length > 1) reasons.push('several_addresses');
  // An address hidden inside an encoded word can differ from what the user sees.
  if (fromHeaders.some((v) => /=\?[^?]+\?[bq]\?[^?]*@[^?]*\?=/i.test(v) && !/<[^>]+>/.test(v))) {
    reasons.push('encoded_word_address');
  }
  const from = addresses.length === 1 ? (addresses[0] ?? null) : null;
  if (!from && addresses.length === 0) reasons.push('missing');
  if (from && replyTo.length > 0 && replyTo.some((r) => r.address !== from.address)) {
    reasons.push('differs_from_reply_to');
  }
  if (from && sender && sender.address !== from.address) reasons.push('differs_from_sender');
  return { from: from ?? addresses[0] ?? null, reasons };
}

type Mail = Awaited<ReturnType<typeof simpleParser>>;

/** How mailparser is called: no image links, no text-to-HTML (the benchmarks' baseline uses the same). */
export const PARSER_OPTIONS = { skipImageLinks: true, skipTextToHtml: true } as const;

function digest(content: Buffer): Digest {
  return { size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

// Markers carry a random per-process nonce and a count: a sender cannot guess one (randomBytes for
// every message cost more than the markers save on small ones).
const DETACH_NONCE = randomBytes(12).toString('hex');
let detachCount = 0;

/**
 * mailparser decodes every attachment through its line splitter and streaming base64 decoder: about
 * 14 ms of CPU for a 1 MB attachment, where Node's own decoder and a sha256 take under 2. The bodies
 * inspectStructure found in plain base64 (see `base64Bodies`; it decodes them as it checks them) are
 * therefore cut out before parsing, each replaced by a short marker. The parser still reads every
 * header, so each attachment keeps its name, type and disposition. Every marker must come back as
 * exactly one attachment; if the parser read the message any other way, null, and the caller parses
 * it whole.
 */
export async function parseDetached(
  bytes: Buffer,
  bodies: readonly Base64Body[],
): Promise<{ mail: Mail; detached: Map<Attachment, Digest> } | null> {
  const prefix = `signoff-detached-${DETACH_NONCE}-${++detachCount}-`;
  const pieces: Buffer[] = [];
  let at = 0;
  for (const [i, body] of bodies.entries()) {
    if (body.start < at || body.end < body.start || body.end > bytes.length) return null;
    pieces.push(bytes.subarray(at, body.start), Buffer.from(Buffer.from(`${prefix}${i}`).toString('base64')));
    at = body.end;
  }
  pieces.push(bytes.subarray(at));
  let mail: Mail;
  try {
    mail = await simpleParser(Buffer.concat(pieces), PARSER_OPTIONS);
  } catch {
    return null;
  }
  const detached = new Map<Attachment, Digest>();
  const seen = new Set<number>();
  for (const attachment of mail.attachments) {
    if (attachment.size > 128) continue; // a marker is under 70 bytes
    const text = attachment.content.toString('latin1');
    if (!text.startsWith(prefix)) continue;
    const index = Number(text.slice(prefix.length));
    const body = bodies[index];
    if (!body || seen.has(index)) return null;
    seen.add(index);
    detached.set(attachment, { size: body.size, sha256: body.sha256 });
  }
  return seen.size === bodies.length ? { mail, detached } : null;
}

/**
 * `base64Bodies`, from inspectStructure on the same bytes, names attachment bodies to decode without
 * the MIME parser; the result is the same either way.
 */
export async function parseEmail(
  bytes: Buffer,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
  base64Bodies: readonly Base64Body[] = [],
): Promise<ParsedEmail> {
  if (bytes.length > limits.maxBytes) {
    throw new AppError(
      'PARSE_LIMIT',
      `Message is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('PARSE_LIMIT', `Parsing took longer than ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
  });
  const parse = async () =>
    (base64Bodies.length > 0 ? await parseDetached(bytes, base64Bodies) : null) ?? {
      mail: await simpleParser(bytes, PARSER_OPTIONS),
      detached: new Map<Attachment, Digest>(),
    };
  let mail: Mail;
  let detached: Map<Attachment, Digest>;
  try {
    ({ mail, detached } = await Promise.race([parse(), timeout]));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('PARSE_FAILED', 'The MIME structure could not be parsed', { cause: error });
  } finally {
    clearTimeout(timer);
  }

  const headers = rawHeaders(mail.headerLines);
  const replyTo = toAddresses(flatten(mail.replyTo));
  const senderList = toAddresses(flatten(mail.headers.get('sender') as AddressObject | undefined));
  const { from, reasons } = fromAmbiguities(headers, flatten(mail.from), replyTo, senderList[0] ?? null);
  const contentType =
    (headers.get('content-type')?.[0] ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';

  return {
    messageId: normalizeMessageId(mail.messageId),
    inReplyTo: messageIdList(mail.inReplyTo)[0] ?? null,
    references: messageIdList(mail.references),
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    from,
    fromAmbiguity: reasons,
    replyTo,
    sender: senderList[0] ?? null,
    to: toAddresses(flatten(mail.to)),
    cc: toAddresses(flatten(mail.cc)),
    bcc: toAddresses(flatten(mail.bcc)),
    deliveredTo: headerAddresses(headers, 'delivered-to'),
    originalTo: headerAddresses(headers, 'x-original-to'),
    text: mail.text ?? null,
    html: typeof mail.html === 'string' ? mail.html : null,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      contentId: a.contentId ?? null,
      inline: a.contentDisposition === 'inline',
      ...(detached.get(a) ?? digest(a.content)),
    })),
    headers,
    contentType,
    reportParts: reportParts(mail.attachments, contentType, bytes),
  };
}
