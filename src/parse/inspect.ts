/**
 * Cheap structural checks on raw bytes, before and besides the MIME parser. mailparser is lenient:
 * it decodes what it can and says nothing, so these checks are how a damaged message gets flagged for
 * a person to look at. Pure; a single pass over the lines.
 */

export type StructureFlag =
  | 'nul_bytes'
  | '8bit_headers'
  | 'unclosed_multipart'
  | 'invalid_base64'
  | 'unknown_charset'
  | 'deep_nesting';

/** Deeper than this and the parser is not even tried: real mail nests a handful of levels. */
export const MAX_MIME_DEPTH = 50;

/** Byte offsets of a part's body: from its first byte to the end of its last line (without the line break). */
export interface BodyRange {
  start: number;
  end: number;
}

export interface Inspection {
  flags: StructureFlag[];
  /** Multipart nesting depth as declared by the boundaries. */
  depth: number;
  /**
   * Bodies of binary parts (a declared type that is neither text, message nor multipart) in plain
   * base64: the alphabet and line breaks, padding only at the end, at least DETACHABLE_MIN_BYTES.
   * Such a body holds no boundary line, and its bytes decode alike in any decoder, so the parser can
   * be spared them (see parseEmail).
   */
  base64Bodies: BodyRange[];
}

/** Smaller base64 bodies are left to the parser: sparing it those saves less than it costs. */
export const DETACHABLE_MIN_BYTES = 4096;

function charsetKnown(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return /^utf-?7$/i.test(label); // decoded by mailparser's iconv-lite, unknown to TextDecoder
  }
}

// Anything but the base64 alphabet, padding and line breaks.
const NOT_BASE64 = /[^A-Za-z0-9+/=\r\n \t]/;
// Plain base64 is the alphabet and line breaks, then at most two padding characters at the end.
const NOT_PLAIN_BASE64 = /[^A-Za-z0-9+/\r\n]/;
const PADDING_TAIL = /^={1,2}[\r\n]*$/;
const BINARY_TYPE = /^(?!text\/|message\/|multipart\/)[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** The top-level header block of a message read as latin1 (byte-preserving): up to the first empty line. */
export function headerBlock(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0 ? text.slice(0, end) : text;
}

export function inspectStructure(bytes: Buffer): Inspection {
  const flags = new Set<StructureFlag>();
  if (bytes.includes(0)) flags.add('nul_bytes');
  const text = bytes.toString('latin1'); // byte-preserving
  if (/[\x80-\xff]/.test(headerBlock(text))) flags.add('8bit_headers');

  const open: string[] = [];
  const base64Bodies: BodyRange[] = [];
  let maxDepth = 0;
  let inHeaders = true;
  let partHeaders = '';
  // Start of the current part's body when it is base64: checked in one regex pass when the part ends,
  // not line by line (a 2 MB attachment costs about a millisecond, not ten).
  let base64From = -1;
  let binaryPart = false;
  const checkBase64 = (until: number) => {
    if (base64From < 0) return;
    const body = text.slice(base64From, until);
    const odd = NOT_PLAIN_BASE64.exec(body);
    if (odd === null || PADDING_TAIL.test(body.slice(odd.index))) {
      let end = until;
      while (end > base64From && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
      if (binaryPart && end - base64From >= DETACHABLE_MIN_BYTES)
        base64Bodies.push({ start: base64From, end });
    } else if (NOT_BASE64.test(body.slice(odd.index))) {
      flags.add('invalid_base64');
    }
    base64From = -1;
  };
  let pos = 0;
  while (pos < text.length) {
    if (!inHeaders) {
      // In a body only a line starting with "--" can matter: jump straight to the next one.
      const candidate = text.indexOf('\n--', pos - 1);
      if (candidate < 0 || open.length === 0) break;
      pos = candidate + 1;
    }
    const newline = text.indexOf('\n', pos);
    const end = newline < 0 ? text.length : newline;
    const next = end + 1;
    if (inHeaders) {
      const line = text.slice(pos, end).replace(/\r$/, '');
      if (line === '') {
        inHeaders = false;
        const unfolded = partHeaders.replace(/\n[ \t]+/g, ' ');
        const type = /^content-type:\s*([^;\n]+)(.*)$/im.exec(unfolded);
        const mediaType = type?.[1]?.trim().toLowerCase() ?? '';
        binaryPart = BINARY_TYPE.test(mediaType);
        if (mediaType.startsWith('multipart/')) {
          const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(type?.[2] ?? '');
          const value = boundary?.[1] ?? boundary?.[2];
          if (value) {
            open.push(value);
            maxDepth = Math.max(maxDepth, open.length);
          }
        }
        const charset = /charset\s*=\s*"?([^\s";]+)/i.exec(type?.[2] ?? '')?.[1];
        if (charset && !charsetKnown(charset)) flags.add('unknown_charset');
        if (/^content-transfer-encoding:\s*base64\s*$/im.test(unfolded)) base64From = next;
        partHeaders = '';
      } else {
        partHeaders += `${line}\n`;
      }
    } else {
      const line = text.slice(pos, end).replace(/\r$/, '');
      const index = open.findIndex((b) => line === `--${b}` || line === `--${b}--`);
      if (index >= 0) {
        checkBase64(pos);
        const closing = line === `--${open[index]}--`;
        open.length = closing ? index : index + 1;
        inHeaders = !closing;
      }
    }
    pos = next;
  }
  checkBase64(text.length);
  if (open.length > 0) flags.add('unclosed_multipart');
  if (maxDepth > MAX_MIME_DEPTH) flags.add('deep_nesting');
  return { flags: [...flags], depth: maxDepth, base64Bodies };
}
