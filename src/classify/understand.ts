import { type AutomatedVerdict, detectAutomated } from '../parse/automated.js';
import type { ParsedEmail } from '../parse/parse-email.js';
import { type BodyReading, bodyOf, readBody } from './read-body.js';

/**
 * What a client's message says, the one way every caller reads it (ingestion, `classify`, the
 * fixtures): the newly written text apart from history and signature, whether a machine wrote it,
 * and the intent of the new text alone. Pure.
 */
export interface Understanding extends BodyReading {
  automated: AutomatedVerdict | null;
}

export function understandEmail(email: ParsedEmail): Understanding {
  const automated = detectAutomated(email);
  return {
    automated,
    ...readBody(bodyOf({ email, automated })),
  };
}
