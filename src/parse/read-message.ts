import { isAppError } from '../errors.js';
import { headerBlock, inspectStructure, type StructureFlag } from './inspect.js';
import { type ParsedEmail, type ParseLimits, parseEmail } from './parse-email.js';

/**
 * A stored message, read as far as is safe. Over the size limit, past the parse time limit, nested
 * absurdly deep, or rejected by the MIME parser, it is summarised from its headers alone and flagged:
 * the raw bytes stay stored, the thread still gets its message, and the flags tell a person why the
 * body is missing. Only a message whose headers cannot be read at all fails.
 */

export type ReadFlag = StructureFlag | 'oversize' | 'parse_timeout' | 'unparseable' | 'headers_only';

export interface ReadMessage {
  email: ParsedEmail;
  flags: ReadFlag[];
}

/** How much of a message's start the header summary reads: headers longer than this are cut. */
export const HEADER_PREFIX_BYTES = 256 * 1024;

/** A header block is small and bounded: parsing it gets this long even when the full parse got less. */
const HEADERS_TIMEOUT_MS = 5_000;

/** The header block (up to the first empty line), parsed on its own. */
export async function parseHeadersOnly(bytes: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
  const block = headerBlock(bytes.subarray(0, HEADER_PREFIX_BYTES).toString('latin1'));
  const email = await parseEmail(Buffer.from(`${block}\r\n\r\n`, 'latin1'), {
    ...limits,
    timeoutMs: Math.max(limits.timeoutMs, HEADERS_TIMEOUT_MS),
  });
  return { ...email, text: null, html: null, attachments: [] };
}

/** `size` is the stored size: an oversize message may be passed as just its first HEADER_PREFIX_BYTES. */
export async function readMessage(
  bytes: Buffer,
  limits: ParseLimits,
  size = bytes.length,
): Promise<ReadMessage> {
  if (size > limits.maxBytes) {
    return { email: await parseHeadersOnly(bytes, limits), flags: ['oversize', 'headers_only'] };
  }
  const inspection = inspectStructure(bytes);
  const flags: ReadFlag[] = [...inspection.flags];
  if (flags.includes('deep_nesting')) {
    return { email: await parseHeadersOnly(bytes, limits), flags: [...flags, 'headers_only'] };
  }
  try {
    return { email: await parseEmail(bytes, limits, inspection.base64Bodies), flags };
  } catch (error) {
    if (!isAppError(error, 'PARSE_LIMIT') && !isAppError(error, 'PARSE_FAILED')) throw error;
    const why: ReadFlag = isAppError(error, 'PARSE_LIMIT') ? 'parse_timeout' : 'unparseable';
    return { email: await parseHeadersOnly(bytes, limits), flags: [...flags, why, 'headers_only'] };
  }
}
