import { htmlToLines } from './reply/html.js';
import { splitLines } from './reply/split.js';
import type { ReplyParts, SourceLine } from './reply/types.js';

/**
 * Splits a message body into what the sender newly wrote, the quoted history, the signature and any
 * forwarded message. Pure and fast (linear in the body; no pattern can backtrack badly).
 *
 * Plain text is read line by line (`>` quoting, quote headers in many languages, Outlook header
 * blocks, signatures); HTML is first reduced to lines that remember which client container
 * (Gmail, Outlook, Apple Mail, Yahoo, Thunderbird, Proton) they came from.
 */

export type { ReplyParts } from './reply/types.js';

/** Plain-text body. */
export function extractReply(text: string): ReplyParts {
  return splitLines(textLines(text), { collapseBlankLines: false });
}

/** HTML body (for HTML-only mail, or when its quote markup is more reliable than the text part). */
export function extractReplyFromHtml(html: string): ReplyParts {
  return splitLines(htmlToLines(html).lines, { collapseBlankLines: true });
}

/**
 * The entry point for a parsed message: the HTML part when it carries client quote or signature
 * containers (they mark history exactly, in any language), otherwise the text part, and the HTML
 * as text when there is no text part.
 */
export function extractVisibleReply(body: {
  text: string | null;
  html: string | null;
  /** The message subject: it tells an Outlook forward ("FW:") from a reply with the same header block. */
  subject?: string | null;
}): ReplyParts {
  const text = body.text ?? '';
  const subject = body.subject ?? undefined;
  if (body.html) {
    const converted = htmlToLines(body.html);
    if (converted.structured || text.trim() === '') {
      return splitLines(converted.lines, { collapseBlankLines: true, subject });
    }
  }
  return splitLines(textLines(text), { collapseBlankLines: false, subject });
}

function textLines(text: string): SourceLine[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((t) => ({ text: t, kind: 'text' }));
}
