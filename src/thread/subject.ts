/**
 * Subject normalisation for threading. Pure.
 * Reply and forward prefixes in the languages our clients write in, repeated and counted ("Re[2]:",
 * "Re(3):", "Re^2:", "RE: AW: Fwd:"), bracketed list tags, "[Fwd: ...]" wrappers, a trailing "(fwd)"
 * and our own `[CODE vN]` tags wherever they stand are removed; case and spacing folded.
 */

// Reply / forward prefixes: en Re Fw Fwd; de AW WG Antw Antwort; nl Antw Doorst; sv SV VB; da/no SV VS
// (Videresendt); fi VS (vastaus) VL; fr TR Réf; es RE RV; it R Rif I; pt RES Enc; pl Odp PD; tr YNT
// İLT; hu Vá Továbbítás; el ΑΠ ΣΧΕΤ ΠΡΘ; zh 回复 回覆 答复 转发 轉寄 转寄.
const PREFIX_WORDS = [
  're',
  'fw',
  'fwd',
  'aw',
  'wg',
  'sv',
  'vs',
  'vb',
  'vl',
  'tr',
  'rv',
  'r',
  'rif',
  'i',
  'enc',
  'res',
  'antw',
  'antwort',
  'ant',
  'doorst',
  'odp',
  'pd',
  'ynt',
  'İlt',
  'ilt',
  'réf',
  'ref',
  'vá',
  'továbbítás',
  'απ',
  'σχετ',
  'πρθ',
  '回复',
  '回覆',
  '答复',
  '转发',
  '轉寄',
  '转寄',
];
const PREFIX = new RegExp(
  `^\\s*(?:${PREFIX_WORDS.join('|')})(?:\\s*\\[\\d+\\]|\\s*\\(\\d+\\)|\\^\\d+)?\\s*[:：]\\s*`,
  'iu',
);
const TAG = /^\s*\[[^\]]{1,40}\]\s*/;
const FORWARD_WRAPPER = /^\s*\[(?:fwd?|fw)\s*:\s*(.*)\]\s*$/iu;
const FORWARD_SUFFIX = /\s*\((?:fwd?|fw)\)\s*$/i;
const SUBJECT_TAG = /\[([A-Z][A-Z0-9]{1,11}-\d{1,6})\s+v(\d{1,4})\]/;
const ANY_SUBJECT_TAG = /\s*\[[A-Z][A-Z0-9]{1,11}-\d{1,6}\s+v\d{1,4}\]\s*/g;

function stripOnce(s: string): string {
  const unwrapped = FORWARD_WRAPPER.exec(s)?.[1] ?? s;
  const withoutPrefix = unwrapped.replace(PREFIX, '').replace(FORWARD_SUFFIX, '');
  // A subject that is nothing but a tag keeps it: an empty subject would never thread at all.
  const withoutTag = withoutPrefix.replace(TAG, '');
  return withoutTag.trim() === '' ? withoutPrefix : withoutTag;
}

export function normalizeSubject(subject: string): string {
  let s = subject.normalize('NFC').replace(ANY_SUBJECT_TAG, ' ');
  for (let guard = 0; guard < 20; guard++) {
    const next = stripOnce(s);
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
