/**
 * Subject normalisation for threading. Pure.
 * Reply and forward prefixes in the languages our clients write in, repeated and counted ("Re[2]:",
 * "AW: WG: Re:"), bracketed list tags and our own `[CODE vN]` tags are removed; case and spacing folded.
 */

const PREFIX =
  /^\s*(re|fw|fwd|aw|wg|sv|vs|tr|rv|r|rif|enc|antw|ant|odp|vb|ynt|res|réf|ref)(\s*\[\d+\]|\s*\(\d+\))?\s*[:：]\s*/i;
const TAG = /^\s*\[[^\]]{1,40}\]\s*/;
const SUBJECT_TAG = /\[([A-Z][A-Z0-9]{1,11}-\d{1,6})\s+v(\d{1,4})\]/;

export function normalizeSubject(subject: string): string {
  let s = subject.normalize('NFC');
  for (let guard = 0; guard < 20; guard++) {
    const next = s.replace(PREFIX, '').replace(TAG, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface SubjectTag {
  code: string;
  version: number;
}

/** Our review emails carry `[ACME-12 v2]`; replies keep it. */
export function parseSubjectTag(subject: string): SubjectTag | null {
  const match = SUBJECT_TAG.exec(subject);
  if (!match) return null;
  return { code: match[1] as string, version: Number(match[2]) };
}
