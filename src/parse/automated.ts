import { normalizeMessageId, type ParsedEmail } from './parse-email.js';

/**
 * Is this message written by a machine? Pure. Our own mail echoed back first, then reports
 * (RFC 6522 bounces, feedback loops, read receipts), classic bounces, RFC 3834 and the de-facto
 * headers, list headers, and last the out-of-office subjects of the languages our clients write in.
 *
 * A human reply taken for an auto-reply vanishes from the inbox, so every heuristic here errs towards
 * "human": `X-Auto-Response-Suppress` alone says nothing about the message itself (Outlook puts it on
 * ordinary mail) and is ignored, and an out-of-office phrase counts only as the whole subject or
 * before a separator ("Out of office: ...", never "Out of office plans for Q3").
 */

export type AutomatedKind =
  | 'auto_reply'
  | 'auto_generated'
  | 'bounce'
  | 'feedback_report'
  | 'bulk'
  | 'list'
  | 'own_echo';

export interface AutomatedVerdict {
  kind: AutomatedKind;
  reason: string;
  /**
   * For bounces, feedback reports and delivery or read notifications: the Message-ID (without angle
   * brackets) of the message the report is about, or null when the report does not name it.
   */
  originalMessageId?: string | null;
}

export interface DetectOptions {
  /** True for a Message-ID we generate (a signed one): that message is our own mail coming back. */
  isOwnMessageId?: (id: string) => boolean;
}

/** Separators after an out-of-office phrase: end, colon, dash, bracket, bar, comma. */
const AFTER_PHRASE = String.raw`(?=\s*(?:$|[:：\-–—(\[|,]))`;

const OUT_OF_OFFICE_PHRASES: string[] = [
  // en
  'automatic reply',
  'auto(?:matic)?[- ]?(?:reply|response)',
  'autoreply',
  'autoresponse',
  'out of (?:the )?office(?: auto ?reply)?',
  'away from (?:the )?office',
  // de
  'abwesenheitsnotiz',
  'automatische antwort',
  'automatische abwesenheitsnotiz',
  'abwesend',
  'au(?:ß|ss)er haus',
  'nicht im büro',
  // fr
  'réponse automatique',
  'absence du bureau',
  'absente? du bureau',
  "message d'absence",
  // es
  'respuesta automática',
  'fuera de (?:la )?oficina',
  'ausente',
  // it
  'risposta automatica',
  'fuori ufficio',
  'fuori sede',
  // pt
  'resposta automática',
  'ausente do escritório',
  'fora do escritório',
  'ausência',
  // nl
  'automatisch antwoord',
  'afwezig',
  'afwezigheidsbericht',
  'buiten kantoor',
  // sv
  'automatiskt svar',
  'frånvaro',
  'frånvarande',
  'ej på kontoret',
  // da, no
  'automatisk svar',
  'autosvar',
  'fraværende',
  'fravær',
  'ikke på kontoret',
  // fi
  'automaattinen vastaus',
  'automaattivastaus',
  'poissa toimistolta',
  'poissa',
  // pl
  'odpowiedź automatyczna',
  'automatyczna odpowiedź',
  'autoodpowiedź',
  'poza biurem',
  'nieobecność',
  'nieobecn[ya]',
];
const OUT_OF_OFFICE = new RegExp(`^(?:${OUT_OF_OFFICE_PHRASES.join('|')})${AFTER_PHRASE}`, 'iu');

/** Failed-delivery subjects of the common MTAs and of Exchange in several languages. */
const BOUNCE_SUBJECT =
  /^(?:undeliver(?:ed|able)|undelivered mail returned to sender|mail delivery failed|delivery status notification \(failure\)|delivery (?:has )?failed|delivery failure|failure notice|returned mail|mail system error|non remis|non distribuable|unzustellbar|nicht zustellbar|no se puede entregar|non recapitabile|não é possível entregar|onbestelbaar|kan inte levereras|kan ikke leveres|ei voitu toimittaa|nie można dostarczyć)/iu;
/** Delay warnings and success notices: about our mail, not a failure. */
const DELAY_SUBJECT =
  /^(?:delivery status notification \((?:delay|success)\)|delayed mail|warning: (?:message|could not send)|delivery delayed|mail delivery delayed)/i;
const DAEMON_LOCAL = /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)$/i;

const REPORT_STATUS_TYPES = ['message/delivery-status', 'message/global-delivery-status'];
const EMBEDDED_TYPES = ['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'];
const BODY_SCAN_CHARS = 256 * 1024;

function first(email: ParsedEmail, name: string): string | undefined {
  const value = email.headers.get(name)?.[0];
  return value === undefined ? undefined : value.replace(/\([^()]*\)/g, '').trim();
}

/** Values of one field in a raw header block (folded lines joined). */
function fieldValues(block: string, name: string): string[] {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const pattern = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'gim');
  return [...unfolded.matchAll(pattern)].map((m) => (m[1] ?? '').trim());
}

function parts(email: ParsedEmail, types: string[]): string[] {
  return (email.reportParts ?? []).filter((p) => types.includes(p.contentType)).map((p) => p.text);
}

/**
 * Where a report names the message it is about, most reliable first: the returned message's own
 * header block, then the report fields, then a Message-ID line quoted in the body (classic bounces),
 * then the report's In-Reply-To / References. When a caller can tell our ids apart, one of ours wins.
 */
function findOriginalMessageId(email: ParsedEmail, options: DetectOptions): string | null {
  const candidates: string[] = [];
  for (const block of parts(email, EMBEDDED_TYPES)) candidates.push(...fieldValues(block, 'message-id'));
  const reportText = [
    ...parts(email, [
      ...REPORT_STATUS_TYPES,
      'message/feedback-report',
      'message/disposition-notification',
      'message/global-disposition-notification',
    ]),
    (email.text ?? '').slice(0, BODY_SCAN_CHARS),
  ];
  for (const text of reportText) {
    candidates.push(...fieldValues(text, '(?:x-)?original-message-id'));
    candidates.push(...fieldValues(text, '[ \\t]*message-id'));
  }
  candidates.push(...[email.inReplyTo, ...[...email.references].reverse()].filter((v) => v !== null));
  const ids = candidates
    .map((c) => normalizeMessageId(c))
    .filter((id): id is string => id !== null && id !== email.messageId);
  if (options.isOwnMessageId) {
    const own = ids.find((id) => options.isOwnMessageId?.(id));
    if (own) return own;
  }
  return ids[0] ?? null;
}

/** RFC 3464 Action fields, from the delivery-status part or (mailparser's default) the body text. */
function deliveryActions(email: ParsedEmail): string[] {
  const texts = [...parts(email, REPORT_STATUS_TYPES), (email.text ?? '').slice(0, BODY_SCAN_CHARS)];
  return texts.flatMap((t) => fieldValues(t, 'action').map((a) => a.toLowerCase().split(/[\s;(]/)[0] ?? ''));
}

function reportType(email: ParsedEmail): string | null {
  const match = /report-type\s*=\s*"?([\w-]+)/i.exec(email.headers.get('content-type')?.[0] ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

function fromDaemon(email: ParsedEmail): boolean {
  const address = email.from?.address ?? '';
  const at = address.lastIndexOf('@');
  return DAEMON_LOCAL.test(at > 0 ? address.slice(0, at) : address);
}

function detectReport(email: ParsedEmail, options: DetectOptions): AutomatedVerdict | null {
  if (email.contentType !== 'multipart/report') return null;
  const type = reportType(email);
  const originalMessageId = findOriginalMessageId(email, options);
  if (type === 'feedback-report')
    return { kind: 'feedback_report', reason: 'multipart/report feedback-report', originalMessageId };
  if (type === 'disposition-notification')
    return { kind: 'auto_generated', reason: 'read receipt (disposition-notification)', originalMessageId };
  if (type === 'delivery-status' || type === 'global-delivery-status' || type === null) {
    // A delay warning or a success notice is not a bounce: marking the recipient as bounced on it
    // would be a false alarm. Without any Action field the report counts as a failure.
    const actions = deliveryActions(email);
    if (actions.length > 0 && !actions.includes('failed')) {
      return { kind: 'auto_generated', reason: `delivery-status ${actions[0]}`, originalMessageId };
    }
    return { kind: 'bounce', reason: 'multipart/report delivery-status', originalMessageId };
  }
  return { kind: 'auto_generated', reason: `multipart/report ${type}`, originalMessageId };
}

function detectClassicBounce(email: ParsedEmail, options: DetectOptions): AutomatedVerdict | null {
  if (!fromDaemon(email)) return null;
  const subject = email.subject.normalize('NFC');
  if (DELAY_SUBJECT.test(subject)) {
    return {
      kind: 'auto_generated',
      reason: 'delivery delay notice',
      originalMessageId: findOriginalMessageId(email, options),
    };
  }
  if (BOUNCE_SUBJECT.test(subject)) {
    return {
      kind: 'bounce',
      reason: 'delivery failure from mailer daemon',
      originalMessageId: findOriginalMessageId(email, options),
    };
  }
  return null;
}

function detectHeaders(email: ParsedEmail): AutomatedVerdict | null {
  const autoSubmitted = first(email, 'auto-submitted')?.split(';')[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') {
    return {
      kind: autoSubmitted === 'auto-replied' ? 'auto_reply' : 'auto_generated',
      reason: `Auto-Submitted: ${autoSubmitted}`,
    };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = first(email, name);
    if (value !== undefined && !/^(?:no|false|0)$/i.test(value)) {
      return { kind: 'auto_reply', reason: `${name} header` };
    }
  }
  const precedence = first(email, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply') return { kind: 'auto_reply', reason: 'Precedence: auto_reply' };
  // Old vacation programs mark their replies "Precedence: bulk" or "junk": the subject tells them apart.
  if (
    (precedence === 'bulk' || precedence === 'junk') &&
    OUT_OF_OFFICE.test(email.subject.normalize('NFC'))
  ) {
    return { kind: 'auto_reply', reason: `out-of-office subject with Precedence: ${precedence}` };
  }
  if (precedence === 'bulk' || precedence === 'junk')
    return { kind: 'bulk', reason: `Precedence: ${precedence}` };
  if (precedence === 'list') return { kind: 'list', reason: 'Precedence: list' };
  if (email.headers.has('list-id')) return { kind: 'list', reason: 'List-Id header' };
  if (email.headers.has('list-unsubscribe')) return { kind: 'bulk', reason: 'List-Unsubscribe header' };
  return null;
}

export function detectAutomated(email: ParsedEmail, options: DetectOptions = {}): AutomatedVerdict | null {
  // Our own mail first: it carries Auto-Submitted itself when we sent it automatically.
  if (email.messageId && options.isOwnMessageId?.(email.messageId)) {
    return { kind: 'own_echo', reason: 'Message-ID generated by us' };
  }
  // Reports and bounces before Auto-Submitted: Exim, for one, marks its bounces "auto-replied".
  const report = detectReport(email, options) ?? detectClassicBounce(email, options);
  if (report) return report;
  const byHeader = detectHeaders(email);
  if (byHeader) return byHeader;
  if (OUT_OF_OFFICE.test(email.subject.normalize('NFC'))) {
    return { kind: 'auto_reply', reason: 'out-of-office subject' };
  }
  // RFC 3834 asks responders to send from the null sender; an out-of-office reply is told apart above.
  const returnPath = first(email, 'return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath))
    return { kind: 'auto_generated', reason: 'null Return-Path' };
  return null;
}
