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

/** A part's body in plain base64: its byte offsets (the end without the line break) and its text. */
export interface Base64Body {
  start: number;
  end: number;
  base64: string;
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
  base64Bodies: Base64Body[];
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

/** Where the top-level header block ends: the first empty line, or the end of the message. */
function headerEnd(bytes: Buffer): number {
  const ends = [bytes.indexOf('\n\n', 0, 'latin1'), bytes.indexOf('\n\r\n', 0, 'latin1')].filter(
    (i) => i >= 0,
  );
  return ends.length > 0 ? Math.min(...ends) : bytes.length;
}

function hasHighBytes(bytes: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) if ((bytes[i] as number) >= 0x80) return true;
  return false;
}

/**
 * Works on the bytes: only header lines, boundary candidates and base64 bodies become strings, so a
 * message with no attachment costs no copy of itself.
 */
export function inspectStructure(bytes: Buffer): Inspection {
  const flags = new Set<StructureFlag>();
  if (bytes.includes(0)) flags.add('nul_bytes');
  if (hasHighBytes(bytes, headerEnd(bytes))) flags.add('8bit_headers');

  const open: string[] = [];
  const base64Bodies: Base64Body[] = [];
  let maxDepth = 0;
  let inHeaders = true;
  let partHeaders = '';
  // Start of the current part's body when it is base64: checked in one regex pass when the part ends,
  // not line by line (a 2 MB attachment costs about a millisecond, not ten).
  let base64From = -1;
  let binaryPart = false;
  const checkBase64 = (until: number) => {
    if (base64From < 0) return;
    let end = until;
    while (end > base64From && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
    const body = bytes.toString('latin1', base64From, end); // byte-preserving
    const odd = NOT_PLAIN_BASE64.exec(body);
    if (odd === null || PADDING_TAIL.test(body.slice(odd.index))) {
      if (binaryPart && body.length >= DETACHABLE_MIN_BYTES)
        base64Bodies.push({ start: base64From, end, base64: body });
    } else if (NOT_BASE64.test(body.slice(odd.index))) {
      flags.add('invalid_base64');
    }
    base64From = -1;
  };
  let pos = 0;
  while (pos < bytes.length) {
    if (!inHeaders) {
      // In a body only a line starting with "--" can matter: jump straight to the next one.
      const candidate = bytes.indexOf('\n--', Math.max(0, pos - 1), 'latin1');
      if (candidate < 0 || open.length === 0) break;
      pos = candidate + 1;
    }
    const newline = bytes.indexOf(0x0a, pos);
    const end = newline < 0 ? bytes.length : newline;
    const next = end + 1;
    const line = bytes.toString('latin1', pos, end).replace(/\r$/, '');
    if (inHeaders) {
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
  checkBase64(bytes.length);
  if (open.length > 0) flags.add('unclosed_multipart');
  if (maxDepth > MAX_MIME_DEPTH) flags.add('deep_nesting');
  return { flags: [...flags], depth: maxDepth, base64Bodies };
}
