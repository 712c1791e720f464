import { headerBlockAt } from './header-block.js';
import {
  FORWARD_SUBJECT,
  isAttribution,
  isForwardMarker,
  isLooseAttribution,
  isOriginalMessageSeparator,
  MAX_MARKER_LINE,
  mayStartAttribution,
  opensLikeAttribution,
} from './markers.js';
import { fencedCode, findSignature, isMobileFooter } from './signature.js';
import type { ReplyParts, SourceLine } from './types.js';

/**
 * The splitter shared by plain text and HTML: finds where quoted history (or a forward) starts,
 * keeps inline answers between quoted lines, then cuts the signature off the sender's own lines.
 */

const QUOTE_PREFIX = /^[ \t]*>/;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// Security banners that mail gateways prepend to external mail; not written by the sender.
const BANNER =
  /^\[?(?:external|extern|externe|externo|caution|warning|attention|achtung|notice)\]?\s*[:!-]?.{0,300}?(?:external|outside|extern|do not click|phishing)/iu;

function matchable(text: string): string {
  const t = text
    .replace(INVISIBLE, '')
    .replace(/\u00a0/g, ' ')
    .trim();
  return t.length > MAX_MARKER_LINE * 4 ? t.slice(0, MAX_MARKER_LINE * 4) : t;
}

export interface SplitOptions {
  /** HTML conversion leaves runs of blank lines that mean nothing; plain text keeps its own. */
  collapseBlankLines: boolean;
  /**
   * The message's subject. Outlook forwards carry the same header block as replies; only the
   * outer subject ("FW:", "WG:", "TR:") tells them apart.
   */
  subject?: string | undefined;
}

export function splitLines(lines: readonly SourceLine[], options: SplitOptions): ReplyParts {
  const n = lines.length;
  const clean = lines.map((l) => matchable(l.text));
  const quoted = markQuoted(lines, clean);
  const code = fencedCode(clean);
  const forwardSubject = FORWARD_SUBJECT.test(options.subject?.trim() ?? '');
  const isOwn = (i: number) => lines[i]?.kind === 'text' && !quoted[i];

  const nextIsQuoted = (from: number): boolean => {
    let k = from;
    while (k < n && clean[k] === '') k++;
    return k < n && quoted[k] === true;
  };

  // An attribution over one line, or wrapped by the sender's client over two or three.
  const attributionEnd = (i: number): number => {
    const first = clean[i] ?? '';
    if (isAttribution(first, nextIsQuoted(i + 1))) return i + 1;
    if (!mayStartAttribution(first)) return -1;
    let joined = first;
    for (let k = i + 1; k < Math.min(n, i + 3); k++) {
      // Gmail wraps "<maya@studio.example\n>:", which puts the closing ">:" at the start of a line.
      const closing = /^>\s*[:：]$/u.test(clean[k] ?? '');
      if ((!isOwn(k) && !closing) || clean[k] === '') break;
      // A line that is an attribution by itself starts the header; the line above is prose.
      const own = clean[k] ?? '';
      if (!closing && opensLikeAttribution(own) && isAttribution(own, nextIsQuoted(k + 1))) return -1;
      joined += closing ? (clean[k] ?? '') : ` ${clean[k]}`;
      // Joined prose can end in "wrote:" too; a real wrapped header has an address or a time in it.
      const strong = /@|\d{1,2}[:.]\d{2}/.test(joined);
      if (strong && isAttribution(joined, nextIsQuoted(k + 1))) return k + 1;
    }
    return -1;
  };

  // Index of the next non-blank line of the sender's own text at or after each line, and where the
  // signature at the end of all unquoted text starts. Computed once, and only when an attribution
  // asks (most messages have none above their history): the signature search over every unquoted
  // line, an Outlook-style history included, was most of the splitter's time.
  let ownLayout: { nextOwn: number[]; trailingSignature: number } | undefined;
  const layout = () => {
    if (ownLayout) return ownLayout;
    const nextOwn = new Array<number>(n + 1).fill(n);
    for (let i = n - 1; i >= 0; i--) nextOwn[i] = isOwn(i) && clean[i] !== '' ? i : (nextOwn[i + 1] ?? n);
    const ownIndex: number[] = [];
    for (let i = 0; i < n; i++) if (isOwn(i)) ownIndex.push(i);
    const trailingSignature = ownIndex[findSignature(ownIndex.map((i) => lines[i]?.text ?? '')).start] ?? n;
    ownLayout = { nextOwn, trailingSignature };
    return ownLayout;
  };

  // Quoted lines followed by more of the sender's text (not just a signature): the attribution above
  // them introduces inline answers or a bottom-post, so it is context, not the start of trailing
  // history.
  const ownTextAfterQuote = (from: number): boolean => {
    const k = nextText(clean, from);
    if (k >= n || quoted[k] !== true) return false;
    const { nextOwn, trailingSignature } = layout();
    return (nextOwn[k] ?? n) < trailingSignature;
  };

  let boundary = n;
  let forward = false;
  const context = new Set<number>();
  for (let i = 0; i < n; i++) {
    const kind = lines[i]?.kind;
    if (kind === 'history' || kind === 'forward') {
      boundary = i;
      forward = kind === 'forward' || forwardSubject;
      break;
    }
    const line = clean[i] ?? '';
    if (!isOwn(i) || line === '' || code[i]) continue;
    if (isForwardMarker(line)) {
      boundary = i;
      forward = true;
      break;
    }
    if (isOriginalMessageSeparator(line)) {
      boundary = i;
      forward = forwardSubject;
      break;
    }
    const block = headerBlockAt(clean, i);
    if (block) {
      boundary = block.start;
      forward = forwardSubject;
      break;
    }
    // "Am 20.06.24 um 16:20 schrieb Klarstein Service" without a colon, right above a header block.
    if (isLooseAttribution(line) && headerBlockAt(clean, nextText(clean, i + 1))) {
      boundary = i;
      forward = forwardSubject;
      break;
    }
    const end = attributionEnd(i);
    if (end > 0) {
      if (ownTextAfterQuote(end)) {
        for (let k = i; k < end; k++) context.add(k);
        i = end - 1;
        continue;
      }
      boundary = i;
      break;
    }
  }

  const own: string[] = [];
  const quotedOut: string[] = [];
  const signatureOut: string[] = [];
  let afterQuote = false;
  for (let i = 0; i < boundary; i++) {
    const line = lines[i] as SourceLine;
    if (line.kind === 'signature') signatureOut.push(line.text);
    else if (quoted[i] || context.has(i)) {
      quotedOut.push(line.text);
      afterQuote = true;
    } else {
      // The blank lines below a removed quote belonged to it: the sender's own spacing is the one
      // above the quote ("Hi,\n> q\n\nAnswer" reads "Hi,\nAnswer").
      const blank = clean[i] === '';
      if (blank && afterQuote) continue;
      afterQuote = false;
      own.push(line.text);
    }
  }
  const rest = lines.slice(boundary).map((l) => l.text);
  // A rule right above the history (Outlook's <hr> before its header block) belongs to the history.
  if (boundary < n) {
    let last = own.length - 1;
    while (last >= 0 && /^[\s_\-=~—–*]*$/u.test(own[last] ?? '')) last--;
    const tail = own.splice(last + 1);
    if (tail.some((l) => l.trim() !== '')) rest.unshift(...tail);
  }

  // A gateway banner or a device footer as the first line is not part of the message.
  const first = own.findIndex((l) => matchable(l) !== '');
  if (first >= 0 && BANNER.test(matchable(own[first] ?? ''))) own.splice(0, first + 1);
  const lead = own.findIndex((l) => matchable(l) !== '');
  const leading: string[] = [];
  if (lead >= 0 && isMobileFooter(matchable(own[lead] ?? ''))) leading.push(...own.splice(0, lead + 1));

  const cut = findSignature(own);
  const visible = own.slice(0, cut.start);
  const signature = [...leading, ...own.slice(cut.start, cut.historyFrom ?? own.length), ...signatureOut];
  if (cut.historyFrom !== null) quotedOut.unshift(...own.slice(cut.historyFrom));

  const tidy = (parts: string[]) => tidyText(parts, options.collapseBlankLines);
  return {
    visible: tidy(visible),
    quoted: tidy(forward ? quotedOut : [...quotedOut, ...rest]),
    signature: tidy(signature),
    forwarded: forward ? tidy(rest) : '',
  };
}

function tidyText(lines: readonly string[], collapse: boolean): string {
  // trimEnd, not /\s+$/: that pattern rescans a long run of blanks from every position in it.
  const text = lines.map((l) => l.trimEnd()).join('\n');
  const out = collapse ? text.replace(/\n{3,}/g, '\n\n') : text;
  let from = 0;
  let to = out.length;
  while (from < to && out[from] === '\n') from++;
  while (to > from && out[to - 1] === '\n') to--;
  return out.slice(from, to);
}

function nextText(clean: readonly string[], from: number): number {
  let k = from;
  while (k < clean.length && clean[k] === '') k++;
  return k;
}

/**
 * Which lines are quoted: `>`-prefixed text, quote containers, and the unmarked tails of quoted
 * lines that the sender's client re-wrapped ("> …pharetra d\nignissim odio?\n>"): a short line
 * starting in lower case, right below a long quoted line and above a quoted or blank line.
 */
function markQuoted(lines: readonly SourceLine[], clean: readonly string[]): boolean[] {
  const quoted = lines.map((l) => l.kind === 'quote' || (l.kind === 'text' && QUOTE_PREFIX.test(l.text)));
  for (let i = 1; i < lines.length; i++) {
    if (quoted[i] || !quoted[i - 1] || lines[i]?.kind !== 'text') continue;
    const above = clean[i - 1] ?? '';
    const next = clean[i + 1];
    const belowQuoted = next === undefined || next === '' || quoted[i + 1] === true;
    if (above.length >= 60 && /^\p{Ll}/u.test(clean[i] ?? '') && belowQuoted) quoted[i] = true;
  }
  return quoted;
}
