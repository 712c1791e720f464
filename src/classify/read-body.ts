import type { AutomatedVerdict } from '../parse/automated.js';
import type { ParsedEmail } from '../parse/parse-email.js';
import { extractVisibleReply, type ReplyParts } from '../parse/reply-text.js';
import { classifyIntent, type IntentResult } from './classify.js';

/** What reading a message's text needs: its bodies, its subject, and whether a machine wrote it. */
export interface BodyToRead {
  text: string | null;
  html: string | null;
  subject: string;
  automated: AutomatedVerdict | null;
}

export interface BodyReading {
  reply: ReplyParts;
  intent: IntentResult;
}

export function bodyOf({
  email,
  automated,
}: {
  email: ParsedEmail;
  automated: AutomatedVerdict | null;
}): BodyToRead {
  return { text: email.text, html: email.html, subject: email.subject, automated };
}

/**
 * The newly written text apart from history and signature, and its intent: most of the CPU of
 * understanding a message, all of it string work. Imports no MIME code, so a thread that runs only
 * this stays small.
 */
export function readBody(body: BodyToRead): BodyReading {
  const reply = extractVisibleReply(body);
  const intent = classifyIntent({
    visibleText: reply.visible,
    subject: body.subject,
    automated: body.automated,
  });
  return { reply, intent };
}
