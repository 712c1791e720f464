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

export interface Inspection {
  flags: StructureFlag[];
  /** Multipart nesting depth as declared by the boundaries. */
  depth: number;
}

function charsetKnown(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return /^utf-?7$/i.test(label); // decoded by mailparser's iconv-lite, unknown to TextDecoder
  }
}

export function inspectStructure(bytes: Buffer): Inspection {
  const flags = new Set<StructureFlag>();
  if (bytes.includes(0)) flags.add('nul_bytes');
  const text = bytes.toString('latin1'); // byte-preserving
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headerBlock = headerEnd >= 0 ? text.slice(0, headerEnd) : text;
  if (/[\x80-\xff]/.test(headerBlock)) flags.add('8bit_headers');

  const open: string[] = [];
  let maxDepth = 0;
  let inHeaders = true;
  let partHeaders = '';
  let base64Body = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (inHeaders) {
      if (line === '') {
        inHeaders = false;
        const unfolded = partHeaders.replace(/\n[ \t]+/g, ' ');
        const type = /^content-type:\s*([^;\n]+)(.*)$/im.exec(unfolded);
        if (type?.[1]?.trim().toLowerCase().startsWith('multipart/')) {
          const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(type[2] ?? '');
          const value = boundary?.[1] ?? boundary?.[2];
          if (value) {
            open.push(value);
            maxDepth = Math.max(maxDepth, open.length);
          }
        }
        const charset = /charset\s*=\s*"?([^\s";]+)/i.exec(type?.[2] ?? '')?.[1];
        if (charset && !charsetKnown(charset)) flags.add('unknown_charset');
        base64Body = /^content-transfer-encoding:\s*base64\s*$/im.test(unfolded);
        partHeaders = '';
      } else {
        partHeaders += `${line}\n`;
      }
      continue;
    }
    if (line.startsWith('--') && open.length > 0) {
      const index = open.findIndex((b) => line === `--${b}` || line === `--${b}--`);
      if (index >= 0) {
        const closing = line === `--${open[index]}--`;
        open.length = closing ? index : index + 1;
        inHeaders = !closing;
        base64Body = false;
        continue;
      }
    }
    if (base64Body && line.trim() !== '' && !/^[A-Za-z0-9+/]+={0,2}\s*$/.test(line))
      flags.add('invalid_base64');
  }
  if (open.length > 0) flags.add('unclosed_multipart');
  if (maxDepth > MAX_MIME_DEPTH) flags.add('deep_nesting');
  return { flags: [...flags], depth: maxDepth };
}
