import type { ParsedEmail } from './parse-email.js';

/**
 * Is this message written by a machine? Pure, headers first (RFC 3834 and the de-facto headers),
 * then out-of-office subjects. `X-Auto-Response-Suppress` alone says nothing about the message
 * itself (Outlook puts it on ordinary mail), so it is deliberately ignored.
 */

export type AutomatedKind = 'auto_reply' | 'auto_generated' | 'bounce' | 'feedback_report' | 'bulk' | 'list';

export interface AutomatedVerdict {
  kind: AutomatedKind;
  reason: string;
}

const OUT_OF_OFFICE_SUBJECTS: RegExp[] = [
  /^(automatic reply|auto(matic)?[- ]?reply|autoreply|out of (the )?office)\b/i,
  /^(abwesenheitsnotiz|automatische antwort|abwesend)\b/i,
  /^(réponse automatique|absence du bureau)\b/i,
  /^(respuesta automática|fuera de la oficina)\b/i,
  /^(risposta automatica|fuori ufficio)\b/i,
  /^(resposta automática|ausente do escritório)\b/i,
  /^(automatisch antwoord|afwezig)\b/i,
  /^(automatiskt svar|frånvaro)\b/i,
];

function first(email: ParsedEmail, name: string): string | undefined {
  return email.headers.get(name)?.[0]?.trim();
}

export function detectAutomated(email: ParsedEmail): AutomatedVerdict | null {
  if (email.contentType === 'multipart/report') {
    const reportType = /report-type\s*=\s*"?([\w-]+)/i
      .exec(first(email, 'content-type') ?? '')?.[1]
      ?.toLowerCase();
    if (reportType === 'feedback-report')
      return { kind: 'feedback_report', reason: 'multipart/report feedback-report' };
    return { kind: 'bounce', reason: `multipart/report ${reportType ?? ''}`.trim() };
  }
  const autoSubmitted = first(email, 'auto-submitted')?.toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) {
    return {
      kind: autoSubmitted.startsWith('auto-replied') ? 'auto_reply' : 'auto_generated',
      reason: `Auto-Submitted: ${autoSubmitted}`,
    };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (email.headers.has(name)) return { kind: 'auto_reply', reason: `${name} header` };
  }
  const precedence = first(email, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply') return { kind: 'auto_reply', reason: 'Precedence: auto_reply' };
  if (precedence === 'bulk' || precedence === 'junk')
    return { kind: 'bulk', reason: `Precedence: ${precedence}` };
  if (precedence === 'list' || email.headers.has('list-id')) return { kind: 'list', reason: 'mailing list' };
  const returnPath = first(email, 'return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath))
    return { kind: 'auto_generated', reason: 'null Return-Path' };
  if (OUT_OF_OFFICE_SUBJECTS.some((p) => p.test(email.subject))) {
    return { kind: 'auto_reply', reason: 'out-of-office subject' };
  }
  return null;
}
