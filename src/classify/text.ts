/**
 * Text plumbing for intent classification: normalisation that keeps offsets, the part of the visible
 * text that is the sender's own words, sentences and clauses. Pure.
 *
 * Every transformation here keeps string length, so an offset found in a derived string is an offset
 * into the visible text and the deciding phrase can be cut from the original.
 */

export interface Span {
  start: number;
  end: number;
}

export interface Sentence extends Span {
  /** The normalised sentence text (same length as the original span). */
  text: string;
}

/**
 * A table matches whole words: no letter or digit right before or after it (`\b` is ASCII-only even
 * with the `u` flag, so "validé" would never end a word). The check before is made in two steps: an
 * ASCII class in front, which irregexp tests inline and which turns away most positions inside a word,
 * then, after the words matched, the full Unicode class over exactly the matched words (the
 * backreference), which needs a call out of the compiled pattern. The same matches as one Unicode
 * lookbehind in front, which made that call at every position of the text: on 555 texts of the ingest
 * benchmark's mailbox (1.6 M characters), one pass of every table took 339 ms instead of 697.
 */
const WORD_BEFORE = '(?<![A-Za-z0-9])(?<word>';
const WORD_AFTER = ')(?<![\\p{L}\\p{N}]\\k<word>)(?![\\p{L}\\p{N}])';

/**
 * Letter-aware whole-word tables. They are matched against lower-cased text without the `i` flag:
 * case-insensitive Unicode matching made the feedback table about 600 times slower (665 µs against
 * 1 µs per sentence).
 */
export function words(source: string): RegExp {
  return new RegExp(`${WORD_BEFORE}${source}${WORD_AFTER}`, 'gu');
}

/**
 * One table from several made by `words`: it matches at exactly the positions where any of them
 * matches, so a text it finds nothing in has nothing for any of them.
 */
export function union(tables: readonly RegExp[]): RegExp {
  return words(
    tables
      .map((re) => {
        if (!re.source.startsWith(WORD_BEFORE) || !re.source.endsWith(WORD_AFTER))
          throw new Error(`not a words() table: ${re.source.slice(0, 40)}`);
        return re.source.slice(WORD_BEFORE.length, -WORD_AFTER.length);
      })
      .join('|'),
  );
}

let lookbehinds = 0;

/**
 * `alternatives` where the text right before them matches `behind` (or, negated, does not). A
 * lookbehind in front of an alternative is tried at every word start a table reaches, since a table
 * tries each alternative in turn; most lines never hold the words that follow it. So the words are
 * matched first and the lookbehind asserted after them, over exactly the matched words (a
 * backreference), which gives the same matches. On 600 of the ingest benchmark's replies, one scan
 * with every approval table went from 159 to 38 ms, and one with the feedback table from 211 to 107.
 */
export function preceded(behind: string, alternatives: string, negated = false): string {
  const name = `before${++lookbehinds}`;
  return `(?<${name}>${alternatives})(?<${negated ? '!' : '='}${behind}\\k<${name}>)`;
}

/**
 * `alternatives` at the start of a sentence inside a whole text: its beginning, or after . ! ? ; : or
 * a line break, past a list bullet ("- add the legal line", "2) swap the photo"). Spaces are bounded:
 * an unbounded run in a lookbehind rescans backwards at every position, quadratic on a long run of
 * blanks.
 */
export function atSentenceStart(alternatives: string): string {
  return preceded('(?:^|[.!?;:\\n]) {0,8}(?:(?:[-*•–·]|\\d{1,2}[.)]) {0,4})?', alternatives);
}

/** Lower case with one code unit per code unit ("İ" would otherwise grow), so offsets still hold. */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

/** One regex from a list of alternatives, so each table costs one scan instead of one per entry. */
export function anyOf(sources: readonly string[]): RegExp {
  return words(sources.join('|'));
}

export function test(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

/** Matches of a global regex, left to right; `from` skips a start known to hold none. */
export function* matches(re: RegExp, text: string, from = 0): Generator<Span & { text: string }> {
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    yield { start: m.index, end: m.index + m[0].length, text: m[0] };
  }
}

/**
 * Typographic quotes and apostrophes to ASCII, non-breaking and odd spaces to a space, one code unit
 * for one code unit: "can’t approve" must meet the same negation rule as "can't approve".
 */
export function normalise(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201A\u201B\u2032\u00B4`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033]/g, '"')
    .replace(/[\u00A0\u2007\u202F\u2009\u200A\t]/g, ' ');
}

/** Overwrites spans with spaces (length kept), so later rules do not see neutralised phrases. */
export function blank(text: string, re: RegExp): string {
  re.lastIndex = 0;
  return text.replace(re, (m) => ' '.repeat(m.length));
}

/**
 * Where the sender's own text ends. extractReply removes quoted history and signatures, but keeps
 * forwarded blocks as content; a forwarded "Approved" was written by someone else, so it must never
 * decide. Header-like lines of a pasted message and legal footers end the own text too.
 */
const OWN_TEXT_END: RegExp[] = [
  /^-{2,}\s*(forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original|messaggio inoltrato|messaggio originale|mensagem encaminhada|mensagem original|doorgestuurd bericht|oorspronkelijk bericht)/i,
  /^(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié)\s*:/i,
  /^\*?(from|von|de|da|van|från)\s*:\*?\s.{0,200}@/i,
  /^_{8,}\s*$/,
  /^on\b.{0,200}\bwrote:\s*$/i,
];

/** Boilerplate that can follow a signature that extractReply missed: never the sender's decision. */
const BOILERPLATE = anyOf([
  'this (?:e-?mail|message|communication)(?: and any (?:attachments?|files?)[^.]{0,80})? (?:is|are|may|contains?|and)',
  'intended (?:solely |only )?for the (?:use of the )?(?:addressee|intended recipient|named recipient|recipient)',
  'intended recipient',
  'if you (?:have )?received this (?:e-?mail|message|communication)? ?in error',
  // As a heading only: "the disclaimer needs to be bigger" is feedback on an ad.
  '(?:legal |e-?mail )?disclaimer ?:',
  'legal disclaimer',
  'confidentiality notice',
  'privileged (?:and|or|&) confidential',
  'approved for (?:distribution|release|external use|internal use|publication)',
  // Distribution notices in every language: "no ha sido aprobado para su distribución externa".
  '(?:external|externe|extern|externa|esterna) (?:distribution|verteilung|weitergabe|diffusion|distribución|distribuzione|distribuição|verspreiding|spridning)',
  '(?:distribution|diffusion|distribución|distribuzione|distribuição|verspreiding|spridning) (?:externe|externa|esterna|extern)',
  '(?:recibido|ricevuto|reçu|recebido|erhalten|ontvangen|fått) (?:\\p{L}+ ){0,3}(?:por error|per errore|par erreur|por engano|irrtümlich|fälschlicherweise|per abuis|per vergissing|av misstag)',
  'det här (?:e-?postmeddelandet|meddelandet|mejlet) (?:är|kan|innehåller)',
  'avsett (?:endast )?för (?:mottagaren|adressaten)',
  'registered (?:office|in england|in wales)',
  'company (?:no|number|registration)',
  'amtsgericht',
  'hrb ?\\d',
  'ust-?id',
  'diese (?:e-?mail|nachricht) (?:enthält|ist|kann)',
  'vertrauliche',
  'ce (?:message|courriel|e-?mail) (?:et|est|peut|contient)',
  'destinataire',
  'este (?:mensaje|correo) (?:y|es|puede|contiene)',
  'destinatario',
  'questo messaggio',
  'esta mensagem',
  'destinatário',
  'dit (?:bericht|e-?mailbericht) (?:is|kan|bevat)',
  'geadresseerde',
]);

/**
 * The sender's own lines: stops at a forwarded or pasted message, drops `>` lines and disclaimer
 * paragraphs. Dropped characters become spaces so offsets still point into the visible text.
 */
export function ownText(visible: string): string {
  const text = normalise(visible);
  let out = '';
  let pos = 0;
  const lines = text.split('\n');
  const paragraphs: Span[] = [];
  let paraStart = 0;
  let ended = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (!ended && OWN_TEXT_END.some((re) => re.test(trimmed))) ended = true;
    out += ended || trimmed.startsWith('>') ? ' '.repeat(line.length) : line;
    if (i < lines.length - 1) out += '\n';
    if (trimmed === '') {
      if (pos > paraStart) paragraphs.push({ start: paraStart, end: pos });
      paraStart = pos + line.length + 1;
    }
    pos += line.length + 1;
  }
  paragraphs.push({ start: paraStart, end: text.length });
  for (const p of paragraphs) {
    // From the line where the boilerplate starts to the end of its paragraph: a client's "Approved!"
    // in the same paragraph above a footer stays readable.
    BOILERPLATE.lastIndex = 0;
    const found = BOILERPLATE.exec(lowerSameLength(out.slice(p.start, p.end)));
    if (found) {
      const from = out.lastIndexOf('\n', p.start + found.index) + 1;
      const start = Math.max(p.start, from);
      out = out.slice(0, start) + out.slice(start, p.end).replace(/[^\n]/g, ' ') + out.slice(p.end);
    }
  }
  return out;
}

const ABBREVIATIONS = new Set([
  'e.g',
  'i.e',
  'eg',
  'ie',
  'mr',
  'mrs',
  'ms',
  'dr',
  'vs',
  'approx',
  'ca',
  'z.b',
  'd.h',
  'bzw',
  'inkl',
  'ggf',
  'usw',
  'nr',
  'p.s',
  'st',
  'sr',
  'jr',
]);

/** Lines beginning with one of these start a sentence of their own (lists, greetings, sign-offs). */
const LINE_START = /^\s*([-*•–·]|\d{1,2}[.)]\s|[A-ZÄÖÜÀ-Ý¿¡"(])/u;

/**
 * Sentences with offsets. A sentence ends at . ! ? … followed by space, at ; or at a line break,
 * except that a line break followed by a lower-case word joins the lines: hard-wrapped mail
 * ("I can't\napprove this yet") must keep a negation in the same sentence as its verb.
 */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s] ?? '')) s++;
    while (e > s && /\s/.test(text[e - 1] ?? '')) e--;
    if (e > s) sentences.push({ start: s, end: e, text: text.slice(s, e) });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      const rest = text.slice(i + 1, i + 40);
      const blankLine = /^[ ]*\n/.test(rest) || /^\s*$/.test(rest);
      if (blankLine || LINE_START.test(rest) || /[.!?:;…]\s*$/.test(text.slice(Math.max(start, i - 3), i))) {
        push(i + 1);
      }
    } else if (c === '.' || c === '!' || c === '?' || c === '…' || c === ';') {
      let j = i;
      while (j + 1 < text.length && /[.!?…"')\]]/.test(text[j + 1] as string)) j++;
      const next = text[j + 1];
      if (next !== undefined && !/\s/.test(next)) {
        i = j;
        continue;
      }
      if (c === '.') {
        const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(start, i - 8), i))?.[1]?.toLowerCase();
        if (word && ABBREVIATIONS.has(word)) continue;
      }
      push(j + 1);
      i = j;
    }
  }
  push(text.length);
  return sentences;
}

/**
 * Clause boundaries inside a sentence: commas, dashes, colons and contrast words. Negation is read
 * inside the clause of its verb, so "No changes, approved" is an approval while "not approved" is not.
 */
const CLAUSE_BREAK =
  /[,:()]|\s[-–—]+\s|(?<![\p{L}])(?:but|however|though|although|aber|jedoch|mais|pero|però|ma|mas|maar|echter)(?![\p{L}])/giu;

export function clauseAround(sentence: string, at: Span): Span {
  let start = 0;
  let end = sentence.length;
  CLAUSE_BREAK.lastIndex = 0;
  for (let m = CLAUSE_BREAK.exec(sentence); m !== null; m = CLAUSE_BREAK.exec(sentence)) {
    const mEnd = m.index + m[0].length;
    if (mEnd <= at.start) start = mEnd;
    else if (m.index >= at.end) {
      end = m.index;
      break;
    }
  }
  return { start, end };
}

/** Blank out a span (the hit itself), so guards do not trip on words inside the matched phrase. */
export function without(text: string, span: Span): string {
  return text.slice(0, span.start) + ' '.repeat(span.end - span.start) + text.slice(span.end);
}
