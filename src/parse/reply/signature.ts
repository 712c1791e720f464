import { hasCompanySuffix, hasContactData, isCardAt, isCardish, isFirstNameOf } from './card.js';
import { isDisclaimerText, opensDisclaimer } from './disclaimer.js';
import { isRule } from './header-block.js';

/**
 * Where the sender's own text ends and their signature begins: the `-- ` delimiter, a sign-off
 * ("Best,", "Mit freundlichen Grüßen") followed by a short name/contact block, a "-Name" line, a
 * contact card without a sign-off (name, title, company, phone), or a mobile footer ("Sent from my
 * iPhone" in the sender's language). A legal disclaimer at the very end goes with the signature.
 */

// Device and app footers, matched against a whole trimmed line. Each alternative names a device or
// mail app, so "Sent from my desk, which is easier" and "sent from my iPhone app to all users" in
// prose do not match (the line must end right after the device words).
const DEVICE = String.raw`(?:(?:my|mein(?:em)?|mon|mi|mio|meu|mijn|min|mitt)\s+)?(?:[\p{L}\p{N}&.'’-]+\s+){0,3}?(?:iphone|ipad|ipod|android|blackberry|galaxy|samsung|huawei|xiaomi|pixel|nokia|htc|xperia|motorola|oneplus|smartphone|mobile(?:\s+(?:device|phone|mail app))?|mobil(?:telefon|gerät)?|handy|phone|tablet|device|appareil|t[ée]l[ée]phone|m[óo]vil|cellulare|celular|telefoon|puhelin)(?:\s+(?:\p{L}+|\d+)){0,2}`;
const APPS = String.raw`(?:outlook|yahoo mail|yahoo|aol|gmail|proton ?mail|mail|mail for windows(?: 10| 11)?|sparrow|spark|airmail|bluemail|edison|zoho mail|samsung mobile|tapatalk|superhuman|hey)(?:\s+(?:for|für|pour|para|per|voor|för|til|on|op|sur|su|en|na)\s+(?:ios|android|iphone|ipad|windows(?: \d+)?|mac))?`;

const MOBILE_FOOTERS: RegExp[] = [
  new RegExp(
    String.raw`^(?:sent|sent from|sent with|sent via|sent using|envoyé|gesendet|verzonden|verstuurd)\s+(?:from|with|via|using|von|mit|de|depuis|vanaf|vanuit|met)?\s*${DEVICE}\.?$`,
    'iu',
  ),
  // "Sent from my Wiko RIDGE FAB 4G": any short device name after "my" (no comma, nothing after it).
  /^sent from my [\p{L}\p{N}][\p{L}\p{N} .'’&+()-]{0,35}$/iu,
  new RegExp(
    String.raw`^(?:sent|sent from|sent with|sent via|sent using)\s+(?:from\s+|with\s+|via\s+|using\s+)?(?:the\s+)?${APPS}(?:\s+app)?\.?$`,
    'iu',
  ),
  /^sent using the mobile mail app\.?$/iu,
  /^sent with proton ?mail secure email\.?$/iu,
  /^(?:get|download|obtenir|obtener|obter o|scarica|hämta|hent|download|holen sie sich)\s+outlook\s+(?:for|für|pour|para|per|voor|för|til)\s+(?:ios|android)\.?$/iu,
  // German, Dutch, French, Spanish, Italian, Portuguese, Nordic, Finnish, Polish, Russian, Ukrainian,
  // Hungarian, Romanian, Czech, Greek, Turkish, Catalan.
  /^(?:von|vom) (?:meinem )?[\p{L}\p{N} -]{1,30} gesendet\.?$/iu,
  /^gesendet (?:von|mit|vom) (?:meinem |der |dem )?[\p{L}\p{N} -]{1,30}$/iu,
  /^(?:envoyé|envoye) (?:de|depuis|à partir de) (?:mon |ma |l['’])?[\p{L}\p{N} -]{1,30}$/iu,
  /^enviado (?:desde|do|de|com) (?:mi |meu |o |el )?[\p{L}\p{N} -]{1,30}$/iu,
  /^inviato da (?:il mio |mio )?[\p{L}\p{N} -]{1,30}$/iu,
  /^(?:verzonden|verstuurd) (?:vanaf|vanuit|met|via) (?:mijn )?[\p{L}\p{N} -]{1,30}$/iu,
  /^(?:skickat|sendt|sendt fra) (?:från|fra|med) (?:min |mitt )?[\p{L}\p{N} -]{1,30}$/iu,
  /^(?:lähetetty|lähetetty laitteesta) [\p{L}\p{N} -]{1,30}$/iu,
  /^(?:wysłane|wysłano) (?:z|ze) (?:mojego )?[\p{L}\p{N}'’ -]{1,30}$/iu,
  /^(?:отправлено|надіслано|отправлено с моего) (?:с|з|из) [\p{L}\p{N} -]{1,30}$/iu,
  /^(?:az )?[\p{L}\p{N}-]{1,20}-?(?:omról|ról|ről) küldve$/iu,
  /^trimis de pe [\p{L}\p{N}\u2011 -]{1,30}$/iu,
  /^odesláno z [\p{L}\p{N} -]{1,30}$/iu,
  /^στάλθηκε από [\p{L}\p{N} -]{1,30}$/iu,
  /^[\p{L}\p{N}'’]{1,20} (?:gönderildi)$/iu,
  /^enviat des de(?:l meu)? [\p{L}\p{N} -]{1,30}$/iu,
  /^أُ?رسلت من/u,
  /^(?:iphone|ipad)から送信$/iu,
  /^(?:从我的|發自我的|来自我的) ?(?:iphone|ipad|android|手机)/iu,
  /^내 (?:iphone|ipad|갤럭시)에서 보냄$/iu,
];

// Bidirectional and zero-width marks that Arabic and Hebrew footers carry around the text.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

// Outlook mobile appends its download link: "Get Outlook for iOS<https://aka.ms/o0ukef>".
// Matched from the last "<" only: a pattern starting with \s* would rescan a long run of blanks
// from every position in it.
const LINK_SUFFIX = /^<https?:\/\/[^\s>]{1,200}>$/u;

function withoutLinkSuffix(line: string): string {
  const at = line.lastIndexOf('<');
  return at >= 0 && LINK_SUFFIX.test(line.slice(at)) ? line.slice(0, at) : line;
}

// All of them in one pattern, tried in one pass (the Arabic one has no case to ignore).
const ANY_MOBILE_FOOTER = new RegExp(MOBILE_FOOTERS.map((p) => `(?:${p.source})`).join('|'), 'iu');

export function isMobileFooter(line: string): boolean {
  const clean = withoutLinkSuffix(line.replace(INVISIBLE, '')).trim();
  if (clean.length === 0 || clean.length > 70) return false;
  return ANY_MOBILE_FOOTER.test(clean);
}

// "Sent from TypeApp", "Sent from my Wiko RIDGE FAB 4G": any short app or device name, trusted only
// as the last line of the sender's text (a sentence in prose has punctuation or goes on).
const SENT_FROM_ANY =
  /^(?:sent (?:from|with|via|using)|envoyé (?:de|depuis)|enviado (?:desde|de|do)|inviato da|gesendet (?:von|mit)|verzonden (?:met|vanaf|vanuit)|skickat från|sendt fra)\s+(?:my\s+|mon\s+|mi\s+|meu\s+|mijn\s+|min\s+|meinem\s+)?[\p{L}\p{N}][\p{L}\p{N} ._'’&+()-]{0,40}$/iu;

export function isTrailingFooter(line: string): boolean {
  const clean = withoutLinkSuffix(line.replace(INVISIBLE, '')).trim();
  return clean.length <= 60 && (SENT_FROM_ANY.test(clean) || isMobileFooter(clean));
}

const SIGN_OFFS = [
  // English
  'best',
  'best regards',
  'best wishes',
  'best rgds',
  'kind regards',
  'kindest regards',
  'warm regards',
  'warmest regards',
  'warm wishes',
  'regards',
  'rgds',
  'many thanks',
  'thanks',
  'thanks again',
  'thanks so much',
  'thanks a lot',
  'thank you',
  'thank you so much',
  'thank you very much',
  'thx',
  'ty',
  'cheers',
  'sincerely',
  'yours sincerely',
  'sincerely yours',
  'yours truly',
  'yours faithfully',
  'yours',
  'all the best',
  'take care',
  'talk soon',
  'speak soon',
  'with thanks',
  'with best regards',
  'with kind regards',
  'with regards',
  'br',
  'brgds',
  'bw',
  'kr',
  // German
  'mit freundlichen grüßen',
  'mit freundlichen grüssen',
  'mit freundlichem gruß',
  'mit freundlichem gruss',
  'freundliche grüße',
  'freundliche grüsse',
  'freundlichen gruß',
  'viele grüße',
  'viele grüsse',
  'beste grüße',
  'beste grüsse',
  'liebe grüße',
  'liebe grüsse',
  'herzliche grüße',
  'herzliche grüsse',
  'schöne grüße',
  'schöne grüsse',
  'grüße',
  'grüsse',
  'gruß',
  'gruss',
  'lg',
  'vg',
  'mfg',
  'danke',
  'vielen dank',
  'besten dank',
  'bis bald',
  // French
  'cordialement',
  'bien cordialement',
  'très cordialement',
  'bien à vous',
  'salutations',
  'meilleures salutations',
  'sincères salutations',
  'amicalement',
  'merci',
  'merci beaucoup',
  'bonne journée',
  'à bientôt',
  'au revoir',
  'cdt',
  'bien cdt',
  'bisous',
  // Spanish, Catalan
  'saludos',
  'un saludo',
  'saludos cordiales',
  'atentamente',
  'un abrazo',
  'abrazos',
  'gracias',
  'muchas gracias',
  'cordialmente',
  'adiós',
  'salutacions',
  // Italian
  'cordiali saluti',
  'distinti saluti',
  'saluti',
  'un saluto',
  'grazie',
  'grazie mille',
  'a presto',
  // Portuguese
  'atenciosamente',
  'cumprimentos',
  'melhores cumprimentos',
  'abraços',
  'abraço',
  'obrigado',
  'obrigada',
  'att',
  'adeus',
  // Dutch
  'met vriendelijke groet',
  'met vriendelijke groeten',
  'vriendelijke groet',
  'vriendelijke groeten',
  'hartelijke groet',
  'hartelijke groeten',
  'groeten',
  'groetjes',
  'groet',
  'mvg',
  'bedankt',
  // Swedish, Danish, Norwegian
  'med vänliga hälsningar',
  'vänliga hälsningar',
  'hälsningar',
  'med venlig hilsen',
  'venlig hilsen',
  'med vennlig hilsen',
  'vennlig hilsen',
  'hilsen',
  'kærlig hilsen',
  'mvh',
  'vh',
  'kh',
  'tack',
  // Finnish
  'ystävällisin terveisin',
  'parhain terveisin',
  'terveisin',
  'hyvästi',
  'kiitos',
  // Polish, Czech, Hungarian, Romanian, Greek, Turkish
  'pozdrawiam',
  'serdecznie pozdrawiam',
  'z poważaniem',
  'z powazaniem',
  'pozdrowienia',
  'do widzenia',
  's pozdravem',
  'üdvözlettel',
  'cu stimă',
  'με εκτίμηση',
  'saygılarımla',
  // Russian, Ukrainian
  'с уважением',
  'всего доброго',
  'спасибо',
  'з повагою',
  'дякую',
];

const SIGN_OFF_RE = new RegExp(
  `^(?:${[...SIGN_OFFS].sort((a, b) => b.length - a.length).join('|')})(?![\\p{L}\\p{N}])`,
  'iu',
);
// What may follow the sign-off phrase on its line: punctuation, then at most three capitalised name
// words ("Thanks, Maya"), then an emoji or two. A name needs the punctuation before it, so
// "Best Western Hotel" and "Thanks, I'll check" are not sign-offs.
const SIGN_OFF_REST =
  /^\s*(?:[,.!…:;)–—-]+\s*(?:\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2})?)?[\s,.!…:;)-]*(?:(?:\p{Extended_Pictographic}|\u200d|\ufe0f)\s*){0,6}$/u;

/** "Best,", "Mit freundlichen Grüßen", "Thanks, Maya", "Cheers 🎉". */
export function isSignOff(line: string): boolean {
  const m = SIGN_OFF_RE.exec(line);
  return m !== null && line.length < 60 && SIGN_OFF_REST.test(line.slice(m[0].length));
}

// Sign-offs that are also ordinary short messages ("Thanks!", "Danke") only count as the start of a
// signature when a name follows, on their line or below.
const NEEDS_NAME =
  /^(?:thanks|thank you|thx|ty|danke|merci|gracias|grazie|obrigad[oa]|bedankt|tack|kiitos|спасибо|дякую|br|bw|kr|lg|vg|att)(?![\p{L}\p{N}])/iu;

const DISCLAIMER =
  /confidential|confidencial|intended recipient|privileged|disclaimer|vertraulich|confidentiel|riservat|vertrouwelijk/iu;

/** Is this a line of a name/contact block rather than prose? */
function isContactLine(line: string): boolean {
  if (line.length > 80) return DISCLAIMER.test(line);
  if (/[?]$/.test(line)) return false;
  // "Responsabile Acquisti – Casa Bella S.r.l." ends in a full stop but is a company line.
  if (hasCompanySuffix(line)) return true;
  const words = line.split(/\s+/).length;
  // Prose ends in a full stop and runs on; "Acme Inc." or "Tel. 555" do not.
  return !(/[.!]$/.test(line) && words >= 6);
}

const NAME_LINE = /^\p{Lu}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*){1,3}$/u;

/**
 * A name line after a blank line, followed to the end by a few lines of which at least two are
 * contact data (address, phone, URL): "Gina Park\ngina@example.com\n(555) 346-9947".
 */
function isContactBlockStart(lines: readonly string[], i: number, last: number): boolean {
  if (!NAME_LINE.test(lines[i] ?? '') || (lines[i - 1] ?? '') !== '') return false;
  const below = lines.slice(i + 1, last + 1).filter((l) => l !== '');
  if (below.length < 2 || below.length > 6) return false;
  return below.filter(hasContactData).length >= 2 && below.every(isContactLine);
}

/** "-Abhishek Kona", "— Maya", "/John": a name signed with a leading dash or slash. */
const DASH_NAME = /^(?:-(?=\p{L})|[—–~/]\s?)\p{L}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*){0,3}$/u;

const MAX_TAIL_LINES = 12;

export interface SignatureCut {
  /** Index of the first signature line, or lines.length when there is none. */
  start: number;
  /** A mobile footer above unmarked history ("Sent from my iPhone" then an old message): index past the footer. */
  historyFrom: number | null;
}

/**
 * `lines` are the sender's own lines in order (quoted lines already removed). Lines inside a fenced
 * code block are never signature markers.
 */
export function findSignature(lines: readonly string[]): SignatureCut {
  const trimmed = lines.map((l) => l.replace(INVISIBLE, '').trim());
  const inCode = fencedCode(trimmed);
  const firstText = trimmed.findIndex((l) => l !== '');
  let lastText = trimmed.length - 1;
  while (lastText >= 0 && trimmed[lastText] === '') lastText--;
  if (firstText < 0) return { start: lines.length, historyFrom: null };

  // A disclaimer at the end is signature whatever is above it; the signature is then looked for
  // above the disclaimer.
  const disclaimer = trailingDisclaimer(trimmed, inCode, firstText, lastText);
  if (disclaimer <= lastText) {
    lastText = disclaimer - 1;
    while (lastText >= firstText && trimmed[lastText] === '') lastText--;
  }

  for (let i = firstText; i <= lastText; i++) {
    if (inCode[i]) continue;
    const raw = (lines[i] ?? '').trimEnd();
    const line = trimmed[i] ?? '';
    // The RFC 3676 delimiter is "-- "; many clients drop the trailing space. "ᐧ" is the mark that
    // Gmail tracking extensions leave below the text.
    if (raw === '--' || raw === '-- ' || line === 'ᐧ') {
      return { start: i, historyFrom: null };
    }
    if (i === lastText && i > firstText && isTrailingFooter(line)) return { start: i, historyFrom: null };
    if (isMobileFooter(line) && i > firstText) {
      // Whatever follows a device footer was pasted below it by the client: old, unmarked history.
      const rest = trimmed.slice(i + 1, lastText + 1).some((l) => l !== '');
      return { start: i, historyFrom: rest ? i + 1 : null };
    }
  }

  // Sign-offs and dash names are looked for only near the end, with a short block below them.
  let tailStart = disclaimer;
  let count = 0;
  let card = false;
  for (let i = lastText; i > firstText && count < MAX_TAIL_LINES; i--) {
    const line = trimmed[i] ?? '';
    if (line === '') continue;
    if (inCode[i]) break;
    count++;
    const below = trimmed.slice(i + 1, lastText + 1).filter((l) => l !== '');
    if (
      (!card || i + 1 === tailStart) &&
      !introduced(trimmed, i) &&
      isCardAt(trimmed, i, lastText, breakAbove(trimmed, i))
    ) {
      // The lowest name line that starts a card, or one right above it ("Tom Becker" over "Acme
      // Outdoor"); a name-like line above a blank line may be prose. The sender's first name or a
      // repeated name line right above goes with it.
      card = true;
      tailStart = i;
      for (let p = previousText(trimmed, i); p > firstText; p = previousText(trimmed, p)) {
        const above = trimmed[p] ?? '';
        if (inCode[p] || !(above === line || isFirstNameOf(above, line))) break;
        tailStart = p;
        i = p;
      }
      continue;
    }
    if (isSignOff(line) && below.every(isContactLine)) {
      const named = below.length > 0 || !NEEDS_NAME.test(line) || /,\s*\p{Lu}/u.test(line);
      if (named) tailStart = i;
    } else if (DASH_NAME.test(line) && below.every(isContactLine)) {
      tailStart = i;
    } else if (isContactBlockStart(trimmed, i, lastText)) {
      tailStart = i;
    } else if (
      (isRule(line) || /^_{2,}$/.test(line)) &&
      (!line.startsWith('-') || line.length >= 10) &&
      (NAME_LINE.test(below[0] ?? '') || below.some((l) => hasContactData(l) || DISCLAIMER.test(l)))
    ) {
      // A rule above a short block that opens with a name or holds an address, phone or link: the
      // signature (or a mailing-list footer). Otherwise it may be the sender's own section break.
      tailStart = i;
    }
    if (!isContactLine(line) && !isSignOff(line)) break;
  }
  return { start: tailStart, historyFrom: null };
}

function previousText(lines: readonly string[], i: number): number {
  let p = i - 1;
  while (p >= 0 && lines[p] === '') p--;
  return p;
}

/** "Send the proofs to:" above a contact block: the block is what the sender wrote, not a signature. */
function introduced(lines: readonly string[], i: number): boolean {
  return /[:：]$/u.test(lines[previousText(lines, i)] ?? '');
}

/** Is line `i` set off from the text above it: a blank line, a sign-off, a first name, a finished sentence? */
function breakAbove(lines: readonly string[], i: number): boolean {
  const above = lines[i - 1] ?? '';
  if (above === '') return true;
  return isSignOff(above) || isFirstNameOf(above, lines[i] ?? '') || /[.!?]$/.test(above);
}

// At most this many paragraphs of notices at the end ("CONFIDENTIALITY NOTICE …", then a print note).
const MAX_DISCLAIMER_PARTS = 6;
// Within one paragraph, at most this many places where a notice may start are tried (top first).
const MAX_DISCLAIMER_STARTS = 4;
// Only the first characters of a notice are read.
const MAX_DISCLAIMER_READ = 1500;

/**
 * Where a trailing legal disclaimer starts (lastText + 1 when there is none). The end of the text is
 * read in paragraphs, upwards: a paragraph starts below a blank line, or where a long line follows a
 * short one (a notice pasted right below a contact card, as Outlook's HTML gives it). A notice starts
 * at the top of its paragraph or at a line that opens one ("This email …", "AVISO LEGAL:"); every
 * part from there to the end must be a notice, and some of the sender's text must remain above.
 */
function trailingDisclaimer(
  trimmed: readonly string[],
  inCode: readonly boolean[],
  firstText: number,
  lastText: number,
): number {
  let from = lastText + 1;
  let end = lastText;
  for (let parts = 0; parts < MAX_DISCLAIMER_PARTS && end > firstText; parts++) {
    // Places where the notice may start, bottom-up; the paragraph's top only when something bounds
    // it (the sender's first line does not).
    const starts: number[] = [];
    for (let k = end; k > firstText; k--) {
      const line = trimmed[k] ?? '';
      const above = trimmed[k - 1] ?? '';
      const top = above === '' || (line.length >= 60 && above.length < 40);
      if (top || opensDisclaimer(line.slice(0, 120))) starts.push(k);
      if (top) break;
    }
    let found = -1;
    for (let c = starts.length - 1; c >= 0 && c >= starts.length - MAX_DISCLAIMER_STARTS; c--) {
      const start = starts[c] ?? end;
      if (inCode[start] || inCode[end]) continue;
      const above = previousText(trimmed, start);
      const signatureAbove = above > firstText && isSignatureish(trimmed[above] ?? '');
      if (isDisclaimerText(joinedHead(trimmed, start, end), { signatureAbove })) {
        found = start;
        break;
      }
    }
    if (found < 0) break;
    from = found;
    end = previousText(trimmed, found);
  }
  return from;
}

/** Lines start..end joined by spaces, up to MAX_DISCLAIMER_READ characters. */
function joinedHead(lines: readonly string[], start: number, end: number): string {
  let text = '';
  for (let k = start; k <= end && text.length < MAX_DISCLAIMER_READ; k++) {
    const line = lines[k] ?? '';
    if (line !== '') text = text === '' ? line : `${text} ${line}`;
  }
  return text.length > MAX_DISCLAIMER_READ ? text.slice(0, MAX_DISCLAIMER_READ) : text;
}

function isSignatureish(line: string): boolean {
  return isCardish(line) || isSignOff(line) || DASH_NAME.test(line) || /^\p{Lu}[\p{L}'’-]{1,20}$/u.test(line);
}

/** Marks lines inside ``` fences, where header- or signature-like text is code. */
export function fencedCode(lines: readonly string[]): boolean[] {
  const out: boolean[] = [];
  let open = false;
  for (const line of lines) {
    const fence = line.startsWith('```');
    out.push(open || fence);
    if (fence) open = !open;
  }
  return out;
}
