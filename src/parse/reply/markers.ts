/**
 * Line-level markers of quoted history, forwarded mail and original-message separators, in the
 * languages our clients write in. Pure data plus small predicates over one already-trimmed line.
 *
 * Every pattern here runs on a single line capped at MAX_MARKER_LINE characters and uses at most one
 * unbounded run per alternative, so no input can make them backtrack catastrophically (the peer
 * corpus has a 10 kB single-line case that hangs naive `.*….*` patterns).
 */

export const MAX_MARKER_LINE = 400;

/** Words that end (or sit inside) an attribution line such as "On …, Maya wrote:". */
const WROTE_WORDS = [
  'wrote',
  'writes',
  'schrieb',
  'geschrieben',
  'a écrit',
  'écrit',
  'escribió',
  'ha escrito',
  'ha scritto',
  'scritto',
  'escreveu',
  'schreef',
  'geschreven',
  'skrev',
  'kirjoitti',
  'napisał\\(a\\)',
  'napisał',
  'napisała',
  'napisana',
  'pisze',
  'написал\\(а\\)',
  'написал',
  'написала',
  'пишет',
  'написав\\(ла\\)',
  'написав',
  'пише',
  'va escriure',
  'ha escrit',
  'escrit',
  'escrigué',
  'írta',
  'έγραψε',
  'a scris',
  'napsal\\(a\\)',
  'napsal',
  'yazdı',
];
// Scripts without word spaces: the verb is glued to the name, so no word boundary is required.
const WROTE_CJK = ['写道', '寫道', 'のメッセージ', '書きました', '작성', 'كتب'];

// Matched against lower-cased lines, without the `i` flag: case-insensitive Unicode matching made
// this the costliest pattern of reply extraction (0.2 ms a message in the ingest benchmark).
const WROTE_RE = new RegExp(
  `(?:(?<![\\p{L}\\p{N}])(?:${WROTE_WORDS.join('|')})(?![\\p{L}\\p{N}])|${WROTE_CJK.join('|')})`,
  'u',
);

/** The same words with no boundaries and no Unicode mode: a fast first pass that most lines fail. */
const WROTE_ANYWHERE = new RegExp([...WROTE_WORDS, ...WROTE_CJK].join('|'));

function hasWroteVerb(line: string): boolean {
  const lower = line.toLowerCase();
  return WROTE_ANYWHERE.test(lower) && WROTE_RE.test(lower);
}

/** Openers of "On <date>, <name> wrote:" in the languages above. */
const OPENER_RE =
  /^(?:(?:on|am|le|el|il|em|no dia|op|den|på|dne|dnia|w dniu|в|во|у|στις|pe|în|el dia|in data)(?=[\s,])|\d|在)/iu;

const HAS_ADDRESS = /@[\p{L}\p{N}-]+\.|\[mailto:|&lt;[^&\s]+@/u;
const HAS_DIGIT = /\p{N}/u;
// ISO, European and US dates as they open localized Gmail headers ("2014-10-17 11:28 GMT+03:00 Bob <b@x>:").
const DATE_FIRST = /^\d{1,4}[-./年]\s?\d{1,2}[-./月]\s?\d{1,4}/u;
const URLISH = /(?:https?:\/\/|www\.)\S*$/i;

/**
 * Zoho and some webmails frame the attribution in dashes: "---- On Wed, … wrote ----". Trimmed with
 * loops, not a regex: a pattern with dash runs on both sides of a lazy middle is cubic on a long rule.
 */
function unframe(line: string): string {
  if (!line.startsWith('--') || !line.endsWith('--')) return line;
  let start = 0;
  let end = line.length;
  while (start < end && line[start] === '-') start++;
  while (end > start && line[end - 1] === '-') end--;
  return line.slice(start, end).trim();
}

/**
 * Does the (right-trimmed) line end with ">" or "]", then at most the colon `colon` says it ends with:
 * "… Bob <bob@example.com>:". String tests, not /[>\]]\s*[:：]?\s*$/, which is tried from every
 * position of the line.
 */
function endsWithAddress(trimmed: string, colon: boolean): boolean {
  const end = colon ? trimmed.slice(0, -1).trimEnd() : trimmed;
  return end.endsWith('>') || end.endsWith(']');
}

/**
 * "…/on-date-someone-wrote:" inside a URL is not a header (checked last: most lines never get there).
 * A function of its own, not a closure in `isAttribution`: that runs on every line, and the sources
 * run through a transform that names each closure as it is made (`Object.defineProperty`), which
 * was 16% of the splitter's time.
 */
function notInUrl(line: string, trimmed: string, colon: boolean): boolean {
  return !URLISH.test(colon ? trimmed.slice(0, -1) : line);
}

/**
 * Is this (possibly joined) line an attribution? `nextIsQuoted` is true when the next non-blank
 * line is quoted: a bare "Maya wrote:" is trusted only then, because "Here is what I wrote:" in
 * prose is followed by the sender's own text.
 */
export function isAttribution(raw: string, nextIsQuoted: boolean): boolean {
  if (raw.length > MAX_MARKER_LINE) return false;
  const line = unframe(raw);
  // A string test, not /[:：]\s*$/: an end-anchored pattern is tried from every position of the line.
  const trimmed = line.trimEnd();
  const colon = trimmed.endsWith(':') || trimmed.endsWith('：');
  const digit = HAS_DIGIT.test(line);
  // The verb only counts with a colon or after an opener and a digit; the cheap tests go first, and
  // the address is looked for only where it decides, since this runs on every line of every message.
  const verb = (colon || (digit && OPENER_RE.test(line))) && hasWroteVerb(line);
  if (verb && colon) {
    return (digit || nextIsQuoted || HAS_ADDRESS.test(line)) && notInUrl(line, trimmed, colon);
  }
  // "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" (no colon), or framed in dashes.
  if (
    verb &&
    OPENER_RE.test(line) &&
    digit &&
    (line !== raw || HAS_ADDRESS.test(line)) &&
    /(?:wrote|schrieb|écrit|escribió|scritto|escreveu|schreef|skrev)\s*$/iu.test(line)
  ) {
    return notInUrl(line, trimmed, colon);
  }
  // Localized Gmail, Yandex and Mail.ru headers carry no verb: a date or time, then an address, then
  // a colon ("2014-10-17 11:28 GMT+03:00 Bob <bob@example.com>:").
  if (
    digit &&
    endsWithAddress(trimmed, colon) &&
    HAS_ADDRESS.test(line) &&
    (colon || (DATE_FIRST.test(line) && nextIsQuoted))
  ) {
    return notInUrl(line, trimmed, colon);
  }
  return false;
}

/** "Am 20.06.24 um 16:20 schrieb Klarstein Service" with no colon: an attribution only right above a header block. */
export function isLooseAttribution(line: string): boolean {
  return line.length < MAX_MARKER_LINE && OPENER_RE.test(line) && HAS_DIGIT.test(line) && hasWroteVerb(line);
}

/** Does this line open like an attribution ("On …", "Am …", a date)? */
export function opensLikeAttribution(line: string): boolean {
  return OPENER_RE.test(line) || DATE_FIRST.test(line);
}

/** Could this line be the first of an attribution that the sender's client wrapped over lines? */
export function mayStartAttribution(line: string): boolean {
  if (line.length >= MAX_MARKER_LINE) return false;
  return HAS_ADDRESS.test(line) || (OPENER_RE.test(line) && /\d/.test(line.slice(0, 40)));
}

const ORIGINAL_PHRASES = [
  'original message',
  'oprindelig besked',
  'opprinnelig melding',
  'ursprungligt meddelande',
  'original e-mail',
  'reply message',
  'ursprüngliche nachricht',
  'originalnachricht',
  "message d'origine",
  'message d’origine',
  'message original',
  'mensaje original',
  'messaggio originale',
  'mensagem original',
  'oorspronkelijk bericht',
  'origineel bericht',
  'originalmeddelande',
  'oprindelig meddelelse',
  'opprinnelig melding',
  'alkuperäinen viesti',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'исходное сообщение',
  'оригинальное сообщение',
  'вихідне повідомлення',
  'оригінальне повідомлення',
  'původní zpráva',
  'eredeti üzenet',
  'orijinal mesaj',
  'αρχικό μήνυμα',
  'mesaj original',
  'missatge original',
  '原始邮件',
  '原始郵件',
  '元のメッセージ',
  '원본 메시지',
];

const ORIGINAL_RE = new RegExp(
  `^[-=_*~\\s]*-{2,}[-=_*~\\s]*(?:${ORIGINAL_PHRASES.join('|')})[-=_*~\\s:]*$`,
  'iu',
);
// Chinese clients frame the phrase with many dashes but sometimes none before it.
const ORIGINAL_CJK_RE = /^[-=\s]*(?:原始邮件|原始郵件|元のメッセージ|원본 메시지)[-=\s]*$/u;

/** "-----Original Message-----" and its translations. */
export function isOriginalMessageSeparator(line: string): boolean {
  return line.length < 120 && (ORIGINAL_RE.test(line) || ORIGINAL_CJK_RE.test(line));
}

const FORWARD_DASHED = [
  'forwarded message',
  'forwarded e-?mail',
  'forward message',
  'weitergeleitete nachricht',
  'weitergeleitete e-mail',
  'message transféré',
  'message transfere',
  'mensaje reenviado',
  'messaggio inoltrato',
  'mensagem encaminhada',
  'mensagem reencaminhada',
  'doorgestuurd bericht',
  'doorgestuurde e-?mail',
  'vidarebefordrat meddelande',
  'videresendt meddelelse',
  'videresendt melding',
  'välitetty viesti',
  'przekazana wiadomość',
  'wiadomość przekazana',
  'пересылаемое сообщение',
  'пересланное сообщение',
  'переслане повідомлення',
  'přeposlaná zpráva',
  'továbbított üzenet',
  'iletilen ileti',
  'προωθημένο μήνυμα',
  'mesaj redirecționat',
  'missatge reenviat',
  '转发邮件',
  '转发的邮件',
  '轉寄郵件',
  '転送メッセージ',
  '전달된 메시지',
];

// Apple Mail and some webmails write a sentence instead of a dashed rule.
const FORWARD_SENTENCES = [
  'begin forwarded message',
  'anfang der weitergeleiteten (?:nachricht|e-mail)',
  'début du message (?:réexpédié|transféré)',
  'inicio del mensaje reenviado',
  'comienzo del mensaje reenviado',
  'inizio messaggio inoltrato',
  'início da mensagem (?:reencaminhada|encaminhada)',
  'begin doorgestuurd bericht',
  'vidarebefordrat brev',
  'videresendt (?:meddelelse|melding)',
  'välitetty viesti alkaa',
  'początek przekazywanej wiadomości',
  'начало переадресованного сообщения',
  'початок листа, що пересилається',
  '转发的邮件',
  '開始轉寄的郵件',
  '転送されたメッセージ',
  '전달된 메시지',
];

const FORWARD_DASHED_RE = new RegExp(`^-{2,}\\s*(?:${FORWARD_DASHED.join('|')})\\s*-*\\s*$`, 'iu');
const FORWARD_SENTENCE_RE = new RegExp(`^(?:${FORWARD_SENTENCES.join('|')})\\s*[:：]?\\s*$`, 'iu');

/** Is this line the start of a forwarded message? */
export function isForwardMarker(line: string): boolean {
  return line.length < 120 && (FORWARD_DASHED_RE.test(line) || FORWARD_SENTENCE_RE.test(line));
}

/** Subject prefixes that clients put on forwards (FW, WG, TR, RV, I, ENC, VS, VB, Doorst, PD). */
export const FORWARD_SUBJECT =
  /^(?:\[[^\]]{0,40}\]\s*)?(?:fwd?|wg|tr|rv|i|enc|vs|vb|doorst|pd|přeposl|továbbítás)\s*:/iu;
