import { guidFromSeed, newThreadIndex, replyThreadIndex } from './thread-index.js';

/**
 * Builds the messages Signoff sends, as plain data: no IO, no clock of its own. The sender turns an
 * OutgoingMessage into MIME; the outbox stores it until then.
 *
 * Client-provided text (titles, names, notes, the deciding phrase) reaches headers only through
 * `oneLine`, which removes CR, LF and every other control character, so it can never start a header
 * of its own. nodemailer encodes non-ASCII header text itself.
 */

export type OutboxKind =
  | 'review_request'
  | 'approval_confirmation'
  | 'reminder'
  | 'escalation'
  | 'digest'
  | 'report'
  | 'reply';

export interface Address {
  name: string;
  address: string;
}

export interface OutgoingFile {
  name: string;
  sha256: string;
  size: number;
  contentType: string;
}

export interface OutgoingMessage {
  kind: OutboxKind;
  /** "Name <addr>" or a bare address. */
  from: string;
  to: Address[];
  cc: Address[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /** Extra headers: Thread-Topic, Thread-Index, Auto-Submitted, X-Auto-Response-Suppress ... */
  headers: Record<string, string>;
  attachments: OutgoingFile[];
  automated: boolean;
}

export const APPROVE_LINE_TEXT = 'Reply *approved* to sign off, or reply with your changes.';
export const APPROVE_LINE_HTML = 'Reply <b>approved</b> to sign off, or reply with your changes.';

/** Headers every automated message carries (RFC 3834, and Exchange's auto-reply suppression). */
export const AUTOMATED_HEADERS: Readonly<Record<string, string>> = {
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
};

/** One line of header-safe text: control characters (CR and LF among them) become single spaces. */
export function oneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** A Message-ID without brackets, whitespace or control characters. */
export function bareMessageId(value: string): string {
  return value.replace(/[\s\p{Cc}<>]+/gu, '');
}

export function safeAddress(a: Address): Address {
  return { name: oneLine(a.name), address: a.address.replace(/[\s\p{Cc}<>,;"]+/gu, '') };
}

/** Custom header values, each reduced to one line; empty values are dropped. */
export function safeHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const name = key.replace(/[^A-Za-z0-9-]/g, '');
    const line = oneLine(value);
    if (name && line) out[name] = line;
  }
  return out;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "2026-10-20 14:03 UTC" */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The subject tag that threads replies by subject as a last resort: `[ACME-12 v2]`. */
export function subjectTag(code: string, versionNumber: number): string {
  return `[${oneLine(code)} v${versionNumber}]`;
}

function displayName(from: string): string | null {
  const match = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(from);
  const name = match?.[1] ? oneLine(match[1]) : '';
  return name || null;
}

function greeting(to: Address): string {
  const name = oneLine(to.name);
  return name ? `Hello ${name},` : 'Hello,';
}

function isWebLink(url: string): boolean {
  return /^https?:\/\/[^\s<>"]+$/i.test(url);
}

function paragraphsHtml(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => escapeHtml(line))
    .join('<br>\n');
}

export function composeReviewRequest(input: {
  from: string;
  to: Address;
  replyTo: string;
  messageId: string;
  date: Date;
  client: { name: string };
  deliverable: { code: string; title: string };
  version: {
    number: number;
    note: string | null;
    linkUrl: string | null;
    files: OutgoingFile[];
  };
  /** The review request of the previous version to this person, for References. */
  previous: { messageId: string } | null;
}): OutgoingMessage {
  const messageId = bareMessageId(input.messageId);
  const title = oneLine(input.deliverable.title);
  const code = oneLine(input.deliverable.code);
  const client = oneLine(input.client.name);
  const n = input.version.number;
  const note = input.version.note?.trim() || null;
  const link = input.version.linkUrl ? oneLine(input.version.linkUrl) : null;
  const files = input.version.files.map((f) => ({ ...f, name: oneLine(f.name) || 'file' }));
  const signature = displayName(input.from);
  const intro = `Version ${n} of ${code} "${title}"${client ? ` for ${client}` : ''} is ready for your review.`;

  const text: string[] = [greeting(input.to), '', intro, ''];
  if (note) text.push('A note from the team:', note, '');
  if (link) text.push(`View it here: ${link}`, '');
  if (files.length > 0) {
    text.push(files.length === 1 ? 'Attached file:' : 'Attached files:');
    for (const f of files) text.push(`- ${f.name} (${formatSize(f.size)})`);
    text.push('');
  }
  text.push(
    APPROVE_LINE_TEXT,
    '',
    `Please answer by replying to this email, so your answer is recorded against version ${n}.`,
  );
  if (signature) text.push('', signature);

  const html: string[] = [
    '<!doctype html>',
    '<html><body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.5;">',
    `<p>${escapeHtml(greeting(input.to))}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
  ];
  if (note) html.push(`<p>A note from the team:<br>\n${paragraphsHtml(note)}</p>`);
  if (link) {
    const shown = escapeHtml(link);
    html.push(
      isWebLink(link)
        ? `<p>View it here: <a href="${shown}">${shown}</a></p>`
        : `<p>View it here: ${shown}</p>`,
    );
  }
  if (files.length > 0) {
    html.push(`<p>${files.length === 1 ? 'Attached file:' : 'Attached files:'}</p>`, '<ul>');
    for (const f of files) html.push(`<li>${escapeHtml(f.name)} (${escapeHtml(formatSize(f.size))})</li>`);
    html.push('</ul>');
  }
  html.push(
    `<p>${APPROVE_LINE_HTML}</p>`,
    `<p>Please answer by replying to this email, so your answer is recorded against version ${n}.</p>`,
  );
  if (signature) html.push(`<p>${escapeHtml(signature)}</p>`);
  html.push('</body></html>');

  const previous = input.previous ? bareMessageId(input.previous.messageId) : null;
  return {
    kind: 'review_request',
    from: oneLine(input.from),
    to: [safeAddress(input.to)],
    cc: [],
    replyTo: oneLine(input.replyTo),
    subject: `${subjectTag(code, n)} ${title}`,
    text: `${text.join('\n')}\n`,
    html: `${html.join('\n')}\n`,
    messageId,
    inReplyTo: null,
    references: previous ? [previous] : [],
    headers: safeHeaders({
      'Thread-Topic': title,
      'Thread-Index': newThreadIndex(input.date, guidFromSeed(messageId)),
    }),
    attachments: files,
    automated: false,
  };
}

export function composeApprovalConfirmation(input: {
  from: string;
  to: Address;
  messageId: string;
  date: Date;
  /** The client's approving message. */
  inReplyTo: string;
  /** The References of the approving message; its own id is appended when missing. */
  references: string[];
  deliverable: { code: string; title: string };
  version: { number: number; contentHash: string };
  approvedAt: Date;
  decidingPhrase: string | null;
  /** The approving message's Thread-Index, when it had one: the confirmation is filed under it. */
  parentThreadIndex?: string | null;
}): OutgoingMessage {
  const messageId = bareMessageId(input.messageId);
  const inReplyTo = bareMessageId(input.inReplyTo);
  const title = oneLine(input.deliverable.title);
  const code = oneLine(input.deliverable.code);
  const n = input.version.number;
  const references = input.references.map(bareMessageId).filter(Boolean);
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  const phrase = input.decidingPhrase ? oneLine(input.decidingPhrase).slice(0, 200) : '';
  const signature = displayName(input.from);

  const text: string[] = [
    greeting(input.to),
    '',
    `Thank you. Your approval of version ${n} of ${code} "${title}" is recorded.`,
    '',
    `Version: ${n}`,
    `Approved at: ${formatUtc(input.approvedAt)}`,
    `Version fingerprint: ${input.version.contentHash.slice(0, 12)}`,
  ];
  if (phrase) text.push(`Your reply said: "${phrase}"`);
  text.push(
    '',
    'If this was not you, or you did not mean to approve this version, reply to this message and we will look into it.',
    '',
    `This is an automatic message${signature ? ` from ${signature}` : ''}.`,
  );

  const threadIndex =
    (input.parentThreadIndex ? replyThreadIndex(input.parentThreadIndex, input.date, messageId) : null) ??
    newThreadIndex(input.date, guidFromSeed(messageId));
  return {
    kind: 'approval_confirmation',
    from: oneLine(input.from),
    to: [safeAddress(input.to)],
    cc: [],
    replyTo: null,
    subject: `Re: ${subjectTag(code, n)} ${title}`,
    text: `${text.join('\n')}\n`,
    html: null,
    messageId,
    inReplyTo: inReplyTo || null,
    references,
    headers: safeHeaders({ 'Thread-Topic': title, 'Thread-Index': threadIndex, ...AUTOMATED_HEADERS }),
    attachments: [],
    automated: true,
  };
}
