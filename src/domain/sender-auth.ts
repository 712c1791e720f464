/**
 * Is the sender of a raw message authenticated, for approval decisions (PRODUCT.md "Approval rules")?
 *
 * Authenticated means DMARC passes or a DKIM signature aligned with the From domain passes. The answer is
 * read from the topmost Authentication-Results header (RFC 8601) whose authserv-id we trust: the receiving
 * server prepends its own, so anything further down (even with a trusted id) may be forged by the sender.
 * Without a trusted header the message is verified with mailauth (DKIM, then DMARC from DKIM alone).
 * SPF never counts: it authenticates the envelope, not the From a client reads.
 *
 * Alignment is relaxed: the same organisational domain under the Public Suffix List (tldts, the list
 * mailauth itself uses).
 */
import { promises as dns } from 'node:dns';
import { domainToASCII } from 'node:url';
import type { DKIMResult, DNSResolver } from 'mailauth';
import { getDomain } from 'tldts';

export type AuthVerdict = 'pass' | 'fail' | 'none';

export interface DkimCheck {
  domain: string;
  result: string;
  aligned: boolean;
  /** The signature's l= leaves (or may leave) part of the body unsigned: never counts as a pass. */
  bodyLengthLimited: boolean;
}

export interface SenderAuth {
  /** pass: authenticated; fail: checked and not authenticated; none: not checked at all. */
  verdict: AuthVerdict;
  method: 'authentication_results' | 'mailauth' | 'none';
  /** The trusted authserv-id whose header decided, when method = authentication_results. */
  authservId: string | null;
  /** pass / fail / none / temperror ... as read or computed; null when there was no DMARC result. */
  dmarc: string | null;
  dkim: DkimCheck[];
  /** One short line for the evidence record; names domains and results, never bodies. */
  detail: string;
}

/** A DKIM-Signature in the message that carries l=: a receiver's pass on it may not cover the whole body. */
export interface BodyLimitedSignature {
  domain: string;
  /** The b= value without whitespace, to match the header.b prefix of an Authentication-Results entry. */
  signature: string;
}

export interface VerifySenderOptions {
  /** Lower-case authserv-ids whose Authentication-Results we believe. */
  trustedAuthservIds: string[];
  /** false: no DNS verification; without a trusted header the verdict is 'none'. */
  verifyWithDns: boolean;
  /** The DNS lookup mailauth calls (TXT answers as arrays of strings); default real DNS. */
  resolver?: DNSResolver;
  /** Bound on the whole DNS verification (default 10 s); running out gives 'fail' with dmarc 'temperror'. */
  timeoutMs?: number;
}

// A crafted message must not make header parsing expensive: real header blocks are a few KB.
const HEADER_BLOCK_LIMIT = 64 * 1024;
const MAX_RESULTS_HEADERS = 50;
const DEFAULT_TIMEOUT_MS = 10_000;
const DETAIL_LIMIT = 240;

/** Header lines named Authentication-Results, unfolded, topmost first, read from the raw header block only. */
export function readAuthenticationResults(raw: Buffer): string[] {
  return headerValues(raw, 'authentication-results').slice(0, MAX_RESULTS_HEADERS);
}

/** The DKIM-Signature headers of the message that use a body length limit (l=). */
export function findBodyLimitedSignatures(raw: Buffer): BodyLimitedSignature[] {
  const found: BodyLimitedSignature[] = [];
  for (const value of headerValues(raw, 'dkim-signature')) {
    const tags = parseTagList(value);
    if (tags.has('l'))
      found.push({ domain: normalizeDomain(tags.get('d') ?? ''), signature: tags.get('b') ?? '' });
  }
  return found;
}

/**
 * Pure: the verdict from the topmost header whose authserv-id is trusted, or null when none is.
 * Only the authserv-id decides which header is "the" header: if its results are unreadable the verdict is
 * fail, never the next trusted header down, which a sender could have written.
 * `bodyLimited` (from findBodyLimitedSignatures) lets a DKIM pass on an l= signature be discounted.
 */
export function authFromResults(
  headers: string[],
  fromAddress: string,
  trustedAuthservIds: string[],
  bodyLimited: BodyLimitedSignature[] = [],
): SenderAuth | null {
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()));
  for (const header of headers.slice(0, MAX_RESULTS_HEADERS)) {
    const parsed = parseAuthenticationResults(header);
    if (parsed && trusted.has(parsed.authservId))
      return judgeResults(parsed, fromDomainOf(fromAddress), bodyLimited);
  }
  return null;
}

export async function verifySender(
  raw: Buffer,
  fromAddress: string,
  options: VerifySenderOptions,
): Promise<SenderAuth> {
  const headers = readAuthenticationResults(raw);
  const fromHeader = authFromResults(
    headers,
    fromAddress,
    options.trustedAuthservIds,
    findBodyLimitedSignatures(raw),
  );
  if (fromHeader) return fromHeader;
  if (!options.verifyWithDns) {
    return result('none', 'none', null, [], 'no trusted Authentication-Results; not verified by DNS');
  }
  return verifyWithMailauth(raw, fromDomainOf(fromAddress), options);
}

// ---------------------------------------------------------------------------------------------
// Alignment

/**
 * The organisational domain (RFC 7489 3.2): the registrable domain under the Public Suffix List,
 * private suffixes included, so two customers of one platform (a.github.io, b.github.io) never align.
 * A name the list cannot split is its own organisational domain.
 */
export function organizationalDomain(domain: string): string {
  return getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}

/** Relaxed alignment: equal, or one a subdomain of the other with the same organisational domain. */
export function domainsAligned(a: string, b: string): boolean {
  const left = normalizeDomain(a);
  const right = normalizeDomain(b);
  return left !== '' && right !== '' && organizationalDomain(left) === organizationalDomain(right);
}

function normalizeDomain(domain: string): string {
  const trimmed = domain.trim().toLowerCase().replace(/\.$/, '');
  // domainToASCII gives '' for anything that is not a domain, so garbage aligns with nothing.
  return trimmed === '' ? '' : domainToASCII(trimmed);
}

/** The domain of an A-R value: a bare domain, "@domain" or an address. */
function domainOf(value: string): string {
  return normalizeDomain(value.slice(value.lastIndexOf('@') + 1).replace(/[<>]/g, ''));
}

/** The domain of the From mailbox; '' without an @, so a bare word never aligns with anything. */
function fromDomainOf(address: string): string {
  return address.includes('@') ? domainOf(address) : '';
}

// ---------------------------------------------------------------------------------------------
// Raw header block

/** Unfolded values of the named header fields, topmost first. */
function headerValues(raw: Buffer, name: string): string[] {
  const prefix = `${name}:`;
  const values: string[] = [];
  for (const field of headerFields(raw)) {
    const colon = field.indexOf(':');
    if (colon < 0) continue;
    const fieldName = `${field.slice(0, colon).trimEnd().toLowerCase()}:`;
    if (fieldName === prefix) values.push(field.slice(colon + 1).trim());
  }
  return values;
}

function headerFields(raw: Buffer): string[] {
  const capped = raw.length > HEADER_BLOCK_LIMIT;
  const lines = raw.subarray(0, HEADER_BLOCK_LIMIT).toString('utf8').split(/\r?\n/);
  const end = lines.indexOf('');
  // Cut at the cap without reaching the end of the headers: the last line may be half a field.
  const block = end >= 0 ? lines.slice(0, end) : capped ? lines.slice(0, -1) : lines;
  const fields: string[] = [];
  for (const line of block) {
    const last = fields.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) fields[last] += line;
    else fields.push(line);
  }
  return fields;
}

/** DKIM tag=value list; whitespace inside values is dropped (b= and bh= are folded). */
function parseTagList(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!tags.has(key)) tags.set(key, part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// RFC 8601 parsing

interface ResultInfo {
  method: string;
  result: string;
  /** ptype.property (or a bare property such as Microsoft's action=) -> value, first one wins. */
  props: Map<string, string>;
}

interface ParsedResults {
  authservId: string;
  results: ResultInfo[];
  /** false when comments or quotes do not close, the version is unknown, or a resinfo does not parse. */
  readable: boolean;
}

const AUTHSERV_ID = /^\s*("(?:[^"\\]|\\.)*"|[^\s;"]+)(?:\s+(\d+))?\s*/;
const METHOD_SPEC = /^\s*([a-z0-9][a-z0-9_-]*)\s*(?:\/\s*\d+\s*)?=\s*([a-z0-9_-]+)(?=\s|$)/i;
// A value is a token, a quoted string, or an address whose local part may be quoted ("a b"@acme.example).
const PROPERTY = /\s*([a-z0-9_-]+)(?:\s*\.\s*([a-z0-9_-]+))?\s*=\s*((?:"(?:[^"\\]|\\.)*"|[^\s"])+)/iy;
const ONLY_SPACE = /\s*$/y;

function parseAuthenticationResults(value: string): ParsedResults | null {
  const { text, balanced } = stripComments(value);
  const head = AUTHSERV_ID.exec(text);
  if (!head?.[1]) return null;
  const authservId = unquote(head[1]).toLowerCase();
  const [beforeFirst = '', ...segments] = splitOutsideQuotes(text.slice(head[0].length));
  const results: ResultInfo[] = [];
  let readable = balanced && beforeFirst.trim() === '' && (head[2] === undefined || head[2] === '1');
  for (const segment of segments) {
    if (segment.trim() === '' || segment.trim().toLowerCase() === 'none') continue;
    const info = parseResultInfo(segment);
    if (info) results.push(info);
    else readable = false;
  }
  return { authservId, results, readable };
}

function parseResultInfo(segment: string): ResultInfo | null {
  const spec = METHOD_SPEC.exec(segment);
  if (!spec?.[1] || !spec[2]) return null;
  const props = new Map<string, string>();
  let pos = spec[0].length;
  for (;;) {
    ONLY_SPACE.lastIndex = pos;
    if (ONLY_SPACE.test(segment)) break;
    PROPERTY.lastIndex = pos;
    const prop = PROPERTY.exec(segment);
    if (!prop?.[1] || prop[3] === undefined) return null;
    const key = (prop[2] ? `${prop[1]}.${prop[2]}` : prop[1]).toLowerCase();
    if (!props.has(key)) props.set(key, unquote(prop[3]));
    pos = PROPERTY.lastIndex;
  }
  return { method: spec[1].toLowerCase(), result: spec[2].toLowerCase(), props };
}

/** Removes (nested) comments, leaving quoted strings intact; balanced is false on an unclosed one. */
function stripComments(value: string): { text: string; balanced: boolean } {
  let text = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') {
      if (depth === 0) text += ch + (value[i + 1] ?? '');
      i++;
    } else if (quoted) {
      text += ch;
      quoted = ch !== '"';
    } else if (ch === '(') {
      depth++;
    } else if (depth > 0) {
      if (ch === ')') depth--;
      if (depth === 0) text += ' ';
    } else if (ch === ')') {
      return { text, balanced: false };
    } else {
      quoted = ch === '"';
      text += ch;
    }
  }
  return { text, balanced: depth === 0 && !quoted };
}

function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2
    ? value.slice(1, -1).replace(/\\(.)/g, '$1')
    : value;
}

// ---------------------------------------------------------------------------------------------
// Verdict from a trusted header

function judgeResults(
  parsed: ParsedResults,
  fromDomain: string,
  bodyLimited: BodyLimitedSignature[],
): SenderAuth {
  const by = `by ${parsed.authservId}`;
  const dkim = parsed.results
    .filter((r) => r.method === 'dkim')
    .map((r) => dkimFromResult(r, fromDomain, bodyLimited));
  const dmarcs = parsed.results.filter((r) => r.method === 'dmarc');
  const dmarcPass = dmarcs.find((r) => r.result === 'pass' && headerFromMatches(r, fromDomain));
  const dmarcValue = dmarcPass ? 'pass' : (dmarcs[0]?.result ?? null);
  const fromHeader = (verdict: AuthVerdict, detail: string) =>
    result(verdict, 'authentication_results', dmarcValue, dkim, detail, parsed.authservId);
  if (!parsed.readable) return fromHeader('fail', `unreadable Authentication-Results ${by}`);
  if (fromDomain === '') return fromHeader('fail', `From has no domain ${by}`);
  const alignedDkim = dkim.find(counts);
  // A receiver's DMARC pass for mail signed with l= most likely rests on that signature (the sender's own
  // IP has no aligned SPF), and text appended after the signed part would still pass: do not count it.
  const dmarcOnLimited = !alignedDkim && bodyLimited.some((s) => domainsAligned(s.domain, fromDomain));
  if (dmarcPass && !dmarcOnLimited) {
    return fromHeader(
      'pass',
      `dmarc=pass (header.from=${dmarcPass.props.get('header.from') ?? fromDomain}) ${by}`,
    );
  }
  // The receiver evaluated DMARC for this From and it did not pass: that verdict stands, whatever a
  // DKIM line beside it says (the two contradict each other only in a damaged or hand-made header).
  const dmarcFailed = dmarcs.find(
    (r) => ['fail', 'temperror', 'permerror'].includes(r.result) && headerFromMatches(r, fromDomain),
  );
  if (alignedDkim && !dmarcFailed)
    return fromHeader('pass', `dkim=pass (header.d=${alignedDkim.domain}, aligned) ${by}`);
  const dmarcNote = dmarcPass ? 'dmarc=pass discounted: aligned DKIM uses l=' : describeDmarc(dmarcs[0]);
  return fromHeader(
    'fail',
    `no aligned DKIM or DMARC pass ${by} (${[dmarcNote, ...dkim.map(describeDkim)].join('; ')})`,
  );
}

function dkimFromResult(r: ResultInfo, fromDomain: string, bodyLimited: BodyLimitedSignature[]): DkimCheck {
  const domain = domainOf(r.props.get('header.d') ?? r.props.get('header.i') ?? '');
  const headerB = r.props.get('header.b');
  // Matched by domain and, when given, the header.b prefix; an unmatched l= signature of the same
  // domain still marks the result, so a doubt never counts as a pass.
  const limited = bodyLimited.some(
    (s) => domainsAligned(s.domain, domain) && (headerB === undefined || s.signature.startsWith(headerB)),
  );
  return {
    domain,
    result: r.result,
    aligned: domainsAligned(domain, fromDomain),
    bodyLengthLimited: limited,
  };
}

function headerFromMatches(r: ResultInfo, fromDomain: string): boolean {
  const headerFrom = r.props.get('header.from');
  // Receivers write the From domain or its organisational domain (mailauth does the latter).
  return headerFrom === undefined || domainsAligned(domainOf(headerFrom), fromDomain);
}

function counts(check: DkimCheck): boolean {
  return check.result === 'pass' && check.aligned && !check.bodyLengthLimited;
}

function describeDmarc(r: ResultInfo | undefined): string {
  if (!r) return 'no dmarc result';
  const headerFrom = r.props.get('header.from');
  return headerFrom === undefined ? `dmarc=${r.result}` : `dmarc=${r.result} header.from=${headerFrom}`;
}

function describeDkim(check: DkimCheck): string {
  const notes = [check.aligned ? '' : ' unaligned', check.bodyLengthLimited ? ' l=' : ''].join('');
  return `dkim=${check.result} d=${check.domain || '?'}${notes}`;
}

function result(
  verdict: AuthVerdict,
  method: SenderAuth['method'],
  dmarcResult: string | null,
  dkim: DkimCheck[],
  detail: string,
  authservId: string | null = null,
): SenderAuth {
  return { verdict, method, authservId, dmarc: dmarcResult, dkim, detail: cleanDetail(detail) };
}

/** Header text can hold anything: keep the evidence line printable and short. */
function cleanDetail(detail: string): string {
  const printable = detail.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > DETAIL_LIMIT ? `${printable.slice(0, DETAIL_LIMIT - 3)}...` : printable;
}

// ---------------------------------------------------------------------------------------------
// Verification with mailauth

/** Fields mailauth 4.13 sets on each DKIM result but does not declare in its types. */
interface BodyLengthFields {
  canonBodyLengthLimited?: boolean;
  canonBodyLength?: number;
  canonBodyLengthTotal?: number;
}

type MailauthDkim = DKIMResult & BodyLengthFields;

let debugLineSilenced = false;

/**
 * mailauth 4.13 prints `TOTAL <n> EXPECTING <l>` with console.log when a signature's l= differs from
 * the bytes it hashed (a sender controls that). It would land on stdout, which the CLI keeps for
 * results (`import --json`): that one line is dropped, everything else passes through.
 */
function silenceMailauthDebugLine(): void {
  if (debugLineSilenced) return;
  debugLineSilenced = true;
  const original = console.log;
  console.log = (...args: unknown[]) => {
    if (args.length === 4 && args[0] === 'TOTAL' && args[2] === 'EXPECTING') return;
    original(...args);
  };
}

class VerificationTimeout extends Error {
  readonly code = 'ETIMEOUT';
}

async function verifyWithMailauth(
  raw: Buffer,
  fromDomain: string,
  options: VerifySenderOptions,
): Promise<SenderAuth> {
  if (fromDomain === '') return result('fail', 'mailauth', null, [], 'From has no domain');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dnsLookup = options.resolver
    ? { lookup: options.resolver, release: () => undefined }
    : systemResolver(timeoutMs);
  try {
    return await withDeadline(timeoutMs, dnsLookup.lookup, (resolver) =>
      checkWithMailauth(raw, fromDomain, resolver),
    );
  } catch (error) {
    if (error instanceof VerificationTimeout) {
      return result('fail', 'mailauth', 'temperror', [], `DNS verification timed out after ${timeoutMs} ms`);
    }
    const code = (error as { code?: unknown } | null)?.code;
    const detail = `mailauth could not verify the message (${String(code ?? 'error')})`;
    return result('fail', 'mailauth', null, [], detail);
  } finally {
    dnsLookup.release();
  }
}

/** Real DNS, as mailauth's default, but with a per-query timeout and cancellable once we give up. */
function systemResolver(timeoutMs: number): { lookup: DNSResolver; release: () => void } {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  return {
    // resolve() answers TXT as string[][], the shape mailauth reads.
    lookup: (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][] | string[]>,
    release: () => resolver.cancel(),
  };
}

/**
 * Runs `run` with a resolver bound by one deadline for the whole verification. Each lookup also loses
 * to the deadline, so a resolver that never answers does not keep mailauth waiting after we gave up.
 */
async function withDeadline<T>(
  timeoutMs: number,
  base: DNSResolver,
  run: (resolver: DNSResolver) => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new VerificationTimeout('DNS verification timed out')), timeoutMs);
  });
  // Observed by every race below; this keeps it from counting as unhandled when no race is left.
  expiry.catch(() => undefined);
  const resolver: DNSResolver = (name, rrtype) =>
    Promise.race([Promise.resolve().then(() => base(name, rrtype)), expiry]);
  try {
    return await Promise.race([run(resolver), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkWithMailauth(
  raw: Buffer,
  fromDomain: string,
  resolver: DNSResolver,
): Promise<SenderAuth> {
  // Loaded on first use: mailauth adds about 30 MB to a process, and only approval-like mail that names
  // one of our versions, without a trusted header, ever needs it.
  const { dkimVerify, dmarc } = await import('mailauth');
  silenceMailauthDebugLine();
  const verified = await dkimVerify(raw, { resolver });
  // mailauth reports an unsigned message as one result without a signing domain.
  const signatures = (verified.results as MailauthDkim[]).filter((r) => typeof r.signingDomain === 'string');
  const dkim = signatures.map((r) => dkimFromMailauth(r, fromDomain));
  // mailauth's own DMARC counts a pass on an l= signature that leaves part of the body unsigned, so it
  // is computed from the full-body passes only. SPF is left out: we do not know the connecting IP.
  const fullBody = signatures.filter((r, i) => r.status.result === 'pass' && !dkim[i]?.bodyLengthLimited);
  const policy = await dmarc({
    headerFrom: fromDomain,
    spfDomains: [],
    dkimDomains: fullBody.map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned })),
    resolver,
  });
  const dmarcResult = policy ? policy.status.result : null;
  const mailauthResult = (verdict: AuthVerdict, detail: string) =>
    result(verdict, 'mailauth', dmarcResult, dkim, `${detail} by mailauth`);
  if (dmarcResult === 'pass') return mailauthResult('pass', `dmarc=pass (header.from=${fromDomain})`);
  const alignedDkim = dkim.find(counts);
  if (alignedDkim) return mailauthResult('pass', `dkim=pass (d=${alignedDkim.domain}, aligned)`);
  const notes = dkim.length === 0 ? ['no DKIM signature'] : dkim.map(describeDkim);
  return mailauthResult(
    'fail',
    `no aligned DKIM or DMARC pass (dmarc=${dmarcResult ?? 'none'}; ${notes.join('; ')})`,
  );
}

function dkimFromMailauth(r: MailauthDkim, fromDomain: string): DkimCheck {
  const domain = normalizeDomain(r.signingDomain);
  // mailauth aligns with the first From it parses itself; both it and our rule must agree, so a message
  // with a second From header cannot align against a mailbox the approval rules did not use.
  const aligned = domainsAligned(domain, fromDomain) && Boolean(r.status.aligned);
  return { domain, result: r.status.result, aligned, bodyLengthLimited: leavesBodyUnsigned(r) };
}

/**
 * With l=, a signature counts only when mailauth measured that the hashed part is the whole canonical
 * body (underSized, canonBodyLength, canonBodyLengthTotal); appended text would otherwise still pass.
 */
function leavesBodyUnsigned(r: MailauthDkim): boolean {
  if (r.canonBodyLengthLimited !== true) return false;
  const hashed = r.canonBodyLength;
  const total = r.canonBodyLengthTotal;
  return (
    Boolean(r.status.underSized) || typeof hashed !== 'number' || typeof total !== 'number' || total > hashed
  );
}
