import { decodeEntities } from './entities.js';
import { isForwardMarker } from './markers.js';
import type { LineKind, SourceLine } from './types.js';

/**
 * HTML body -> lines of text, each tagged with the mail-client container it sat in (Gmail, Outlook,
 * Apple Mail, Yahoo, Thunderbird, Proton quote and signature markup). Text extraction only: nothing
 * is executed, fetched or trusted; scripts, styles and hidden elements are dropped; malformed markup
 * degrades to text. A small tolerant tokenizer instead of a DOM: one linear pass, no dependency.
 */

export interface HtmlLines {
  lines: SourceLine[];
  /** True when a known quote, history or signature container was found. */
  structured: boolean;
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
// Their content is never shown as text.
const RAW_SKIP = new Set(['script', 'style', 'title', 'template', 'noscript', 'xml', 'textarea']);
const HIDDEN_ELEMENTS = new Set(['head', 'object', 'svg', 'iframe', 'select']);
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
]);
// Opening one of these closes an open element of the listed names (HTML's optional end tags).
const IMPLIED_CLOSE: Record<string, string[]> = {
  p: ['p'],
  li: ['li'],
  dt: ['dt', 'dd'],
  dd: ['dt', 'dd'],
  tr: ['tr', 'td', 'th'],
  td: ['td', 'th'],
  th: ['td', 'th'],
  option: ['option'],
};
// Block elements that end an open paragraph when they start.
const CLOSES_P = new Set([
  'div',
  'table',
  'ul',
  'ol',
  'blockquote',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
]);

type Role = 'quote' | 'history' | 'signature' | 'hidden' | null;

interface Open {
  name: string;
  role: Role;
  paragraph: boolean;
  /** Index in the output where a quote container's lines begin. */
  from: number;
}

/** Which client container is this element? */
function roleOf(name: string, attrs: Map<string, string>): Role {
  const style = (attrs.get('style') ?? '').toLowerCase().replace(/\s+/g, '');
  if (HIDDEN_ELEMENTS.has(name) || /display:none|mso-hide:all|visibility:hidden/.test(style)) return 'hidden';
  const id = (attrs.get('id') ?? '').toLowerCase();
  const cls = ` ${(attrs.get('class') ?? '').toLowerCase()} `;
  // Outlook renames ids and classes of quoted mail with an "x_" prefix, so match on the ending.
  if (
    /(?:^|_)(?:divrplyfwdmsg|appendonsend|mail-editor-reference-message-container|olk_src_body_section)$/.test(
      id,
    ) ||
    /[\s_]outlookmessageheader\s/.test(cls) ||
    // Outlook desktop draws a rule above the quoted header block with this exact style.
    (style.includes('border:none') && style.includes('border-top:solid') && style.includes('padding:3.0pt'))
  ) {
    return 'history';
  }
  if (
    name === 'blockquote' ||
    /[\s_]gmail_quote(?:_container)?\s|yahoo_quoted\s|[\s_]protonmail_quote\s|\smoz-(?:cite-prefix|forward-container)\s|\szmail_extra\s/.test(
      cls,
    )
  ) {
    return 'quote';
  }
  if (
    /[\s_](?:gmail_signature|moz-signature|protonmail_signature_block|yahoo-signature)\s/.test(cls) ||
    /(?:^|_)(?:signature|ms-outlook-mobile-signature|ymail_android_signature)$/.test(id) ||
    attrs.get('data-smartmail') === 'gmail_signature'
  ) {
    return 'signature';
  }
  return null;
}

const TAG_NAME = /<\/?([A-Za-z][A-Za-z0-9:._-]*)/y;
const ATTRIBUTE = /([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Index just past the `>` that ends the tag starting at `from`, skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  for (let i = from; i < html.length; i++) {
    const c = html[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      // Quotes count only where an attribute value starts ("=" before them).
      if (/=\s*$/.test(html.slice(Math.max(from, i - 8), i))) quote = c;
    } else if (c === '>') return i + 1;
  }
  return html.length;
}

function parseAttributes(source: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of source.matchAll(ATTRIBUTE)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

export function htmlToLines(html: string): HtmlLines {
  const out: SourceLine[] = [];
  const stack: Open[] = [];
  let line = '';
  let lineKind: LineKind | null = null;
  let hidden = 0;
  let quotes = 0;
  let signatures = 0;
  let pre = 0;
  let historyFrom = -1;
  let structured = false;

  const kindNow = (): LineKind =>
    historyFrom >= 0 ? 'history' : quotes > 0 ? 'quote' : signatures > 0 ? 'signature' : 'text';
  const endLine = (force: boolean) => {
    if (line.trim() !== '' || force) {
      // Non-breaking spaces are layout in HTML; the text gets ordinary ones.
      const text = line.replace(/\u00a0/g, ' ').trimEnd();
      out.push({ text, kind: lineKind ?? kindNow() });
    }
    line = '';
    lineKind = null;
  };
  const block = () => {
    if (line.trim() !== '') endLine(false);
    else {
      line = '';
      lineKind = null;
    }
  };
  const blankLine = () => {
    block();
    if (out.length > 0 && out[out.length - 1]?.text !== '') out.push({ text: '', kind: kindNow() });
  };
  const append = (text: string) => {
    if (hidden > 0 || text === '') return;
    if (pre > 0) {
      const parts = text.split(/\r\n?|\n/);
      parts.forEach((part, k) => {
        if (k > 0) endLine(true);
        if (part !== '') {
          lineKind ??= kindNow();
          line += part;
        }
      });
      return;
    }
    let t = text.replace(/[ \t\n\r\f]+/g, ' ');
    if (line === '' || line.endsWith(' ')) t = t.replace(/^ /, '');
    if (t === '') return;
    if (t.trim() !== '') lineKind ??= kindNow();
    line += t;
  };

  const enter = (name: string, attrs: Map<string, string>) => {
    const role = roleOf(name, attrs);
    if (role !== null && role !== 'hidden') structured = true;
    const isBlock = BLOCK.has(name) || role !== null;
    if (isBlock) block();
    const paragraph = name === 'p' && !/\bmsonormal\b/i.test(attrs.get('class') ?? '');
    const from = out.length;
    if (role === 'hidden') hidden++;
    else if (role === 'quote') quotes++;
    else if (role === 'signature') signatures++;
    else if (role === 'history' && historyFrom < 0) historyFrom = out.length;
    if (name === 'pre') pre++;
    stack.push({ name, role, paragraph, from });
  };

  const leave = (el: Open) => {
    if (BLOCK.has(el.name) || el.role !== null) block();
    if (el.paragraph) blankLine();
    if (el.name === 'pre') pre--;
    if (el.role === 'hidden') hidden--;
    else if (el.role === 'signature') signatures--;
    else if (el.role === 'quote') {
      quotes--;
      // A Gmail or Thunderbird "quote" that opens with a forward rule is a forward, not history.
      if (quotes === 0) markForward(out, el.from);
    }
  };

  const closeTo = (name: string) => {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]?.name === name) {
        while (stack.length > k) leave(stack.pop() as Open);
        return;
      }
      // A stray end tag inside a table cell must not close the elements around the table.
      if (name !== 'table' && stack[k]?.name === 'table') return;
    }
  };

  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      append(decodeEntities(html.slice(i)));
      break;
    }
    if (lt > i) append(decodeEntities(html.slice(i, lt)));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const next = html[lt + 1];
    if (next === '!' || next === '?') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? n : end + 1;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const m = TAG_NAME.exec(html);
    if (!m) {
      append('<');
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt + m[0].length);
    const name = (m[1] ?? '').toLowerCase();
    const closing = html[lt + 1] === '/';
    i = end;
    if (closing) {
      if (name === 'br') endLine(true);
      else if (name === 'p' && !stack.some((e) => e.name === 'p')) blankLine();
      else closeTo(name);
      continue;
    }
    const attrs = parseAttributes(html.slice(lt + m[0].length, end - 1));
    if (RAW_SKIP.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = end;
      const found = close.exec(html);
      i = found ? found.index + found[0].length : n;
      continue;
    }
    if (name === 'br') {
      if (hidden === 0) endLine(true);
      continue;
    }
    if (name === 'hr') {
      // Outlook puts a rule above the quoted header block; keep it as the rule its plain text has.
      if (hidden === 0) {
        block();
        out.push({ text: '________________________________', kind: kindNow() });
      }
      continue;
    }
    if (name === 'td' || name === 'th') append(' ');
    const implied = IMPLIED_CLOSE[name];
    if (implied) {
      const top = stack[stack.length - 1];
      if (top && implied.includes(top.name)) leave(stack.pop() as Open);
    }
    if (CLOSES_P.has(name) && stack[stack.length - 1]?.name === 'p') leave(stack.pop() as Open);
    if (VOID.has(name) || html[end - 2] === '/') {
      const role = roleOf(name, attrs);
      // An empty marker element (Outlook's <div id="appendonsend"></div> written as self-closing).
      if (role === 'history' && historyFrom < 0) {
        block();
        historyFrom = out.length;
        structured = true;
      }
      continue;
    }
    enter(name, attrs);
  }
  while (stack.length > 0) leave(stack.pop() as Open);
  endLine(false);

  if (historyFrom >= 0) markForward(out, historyFrom);
  return { lines: out, structured };
}

/** Re-tags a container's lines as a forward when its first line is a forward rule. */
function markForward(lines: SourceLine[], from: number): void {
  let first = from;
  // Skip blank lines and the rule Outlook draws above the header block.
  while (first < lines.length && /^[\s_]*$/.test(lines[first]?.text ?? '')) first++;
  if (first >= lines.length) return;
  if (!isForwardMarker((lines[first]?.text ?? '').replace(/\u00a0/g, ' ').trim())) return;
  for (let k = from; k < lines.length; k++) {
    const line = lines[k] as SourceLine;
    if (line.kind === 'quote' || line.kind === 'history') line.kind = 'forward';
  }
}
