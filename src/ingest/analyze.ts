import { type BodyReading, bodyOf, readBody } from '../classify/read-body.js';
import { type AutomatedVerdict, detectAutomated } from '../parse/automated.js';
import type { ParsedEmail, ParseLimits } from '../parse/parse-email.js';
import { type ReadFlag, readMessage } from '../parse/read-message.js';
import { normalizeSubject, parseSubjectTag, type SubjectTag } from '../thread/subject.js';

/**
 * Everything about a message that needs neither the database nor its raw row: the CPU-heavy part of
 * processing, done before the threading lock is taken.
 */
export interface MessageAnalysis extends MimeAnalysis, BodyReading {}

/** The first half of the analysis: the MIME structure and headers, before the text is read. */
export interface MimeAnalysis {
  email: ParsedEmail;
  flags: ReadFlag[];
  normalizedSubject: string;
  tag: SubjectTag | null;
  /** In-Reply-To, then References from the nearest back. */
  references: string[];
  automated: AutomatedVerdict | null;
}

/** `size` is the stored size: an oversize message may be passed as just its start. */
export async function analyzeMessage(
  bytes: Buffer,
  limits: ParseLimits,
  size: number,
): Promise<MessageAnalysis> {
  const mime = await analyzeMime(bytes, limits, size);
  return { ...mime, ...readBody(bodyOf(mime)) };
}

export async function analyzeMime(bytes: Buffer, limits: ParseLimits, size: number): Promise<MimeAnalysis> {
  const { email, flags } = await readMessage(bytes, limits, size);
  return {
    email,
    flags,
    normalizedSubject: normalizeSubject(email.subject),
    tag: parseSubjectTag(email.subject),
    references: [email.inReplyTo, ...[...email.references].reverse()].filter(
      (id, i, all): id is string => id !== null && all.indexOf(id) === i,
    ),
    automated: detectAutomated(email),
  };
}
