import { type AutomatedVerdict, detectAutomated } from '../parse/automated.js';
import type { ParsedEmail } from '../parse/parse-email.js';
import type { ReplyParts } from '../parse/reply-text.js';
import type { IntentResult } from './classify.js';
import { readBody } from './read-body.js';

/**
 * What a client's message says, the one way every caller reads it (ingestion, `classify`, the
 * fixtures): the newly written text apart from history and signature, whether a machine wrote it,
 * and the intent of the new text alone. Pure.
 */
export interface Understanding {
  reply: ReplyParts;
  automated: AutomatedVerdict | null;
  intent: IntentResult;
}

export function understandEmail(email: ParsedEmail): Understanding {
  const automated = detectAutomated(email);
  return {
    automated,
    ...readBody({ text: email.text, html: email.html, subject: email.subject, automated }),
  };
}
