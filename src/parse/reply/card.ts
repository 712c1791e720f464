/**
 * Contact cards: the name/title/company/phone block that Outlook and many signature tools put
 * below the sender's text without any sign-off or `-- ` delimiter:
 *
 *   Tom Becker
 *   Brand Manager
 *   Acme Outdoor Inc.
 *   M: +1 720 555 0199
 *
 * A card is recognised by its shape: a person's name line, then a few short lines that are all
 * card-like (no sentences), of which at least one is evidence of a card (a job title, a company
 * with a legal suffix, a phone number, an address or a link). A name alone is not enough: "Maya
 * Okafor" as the last line of a reply is just the sender's name.
 */

// Only tested on lines of at most CONTACT_LINE_MAX characters: the address alternative rescans a
// long run of word characters from every start position.
const CONTACT_LINE_MAX = 200;
const CONTACT_DATA =
  /[\w.+-]+@[\w-]+\.[\w.-]+|(?:https?:\/\/|www\.)\S+|(?:^|\s)(?:tel|phone|mobile|mob|fax|cell|t|m|f|p)\.?\s*:?\s*\+?[\d(][\d ()./-]{6,}|\+?\(?\d{2,4}\)?[ .-]?\d{3}[ .-]?\d{3,4}/iu;

/** An address, a link or a phone number somewhere on the line. */
export function hasContactData(line: string): boolean {
  return line.length <= CONTACT_LINE_MAX && CONTACT_DATA.test(line);
}

// A company's legal form at the end of its line: "Acme Outdoor Inc.", "Casa Bella S.r.l.". Short
// forms that are also words ("AS", "SE", "Co.") only count in their usual capitalisation.
const COMPANY_SUFFIX =
  /(?:^|[\s,])(?:inc|llc|ltd|limited|corp|corporation|gmbh|plc|pty|llp|pllc|ltda|srl|spa|sarl|sas|bvba|kft|oyj|s\.r\.l|s\.p\.a|s\.l|s\.l\.u|s\.a\.s|s\.à r\.l|b\.v|n\.v|s\.a|s\.a\.u|e\.k|a\/s|sp\. z o\.o)\.?\)?$/iu;
const COMPANY_SUFFIX_CASED = /(?:^|[\s,])(?:AB|AS|ASA|AG|KG|SE|SA|NV|BV|UG|Oy|OY|Co|Lda|GbR|OHG|mbH)\.?\)?$/u;

export function hasCompanySuffix(line: string): boolean {
  return line.length <= 100 && (COMPANY_SUFFIX.test(line) || COMPANY_SUFFIX_CASED.test(line));
}

const TITLE_WORDS = [
  // English
  'manager',
  'director',
  'counsel',
  'coordinator',
  'officer',
  'head of',
  'lead',
  'specialist',
  'assistant',
  'associate',
  'executive',
  'president',
  'vp',
  'svp',
  'evp',
  'ceo',
  'cfo',
  'cmo',
  'coo',
  'cto',
  'cio',
  'founder',
  'co-founder',
  'cofounder',
  'partner',
  'owner',
  'consultant',
  'analyst',
  'engineer',
  'designer',
  'strategist',
  'producer',
  'editor',
  'attorney',
  'lawyer',
  'advisor',
  'adviser',
  'administrator',
  'supervisor',
  'representative',
  'buyer',
  'planner',
  'paralegal',
  'secretary',
  'chairman',
  'chairwoman',
  'principal',
  'controller',
  'accountant',
  'copywriter',
  'marketer',
  'procurement',
  'purchasing',
  // Spanish
  'directora',
  'gerente',
  'jefe',
  'jefa',
  'responsable',
  'coordinador',
  'coordinadora',
  'gestor',
  'gestora',
  'abogado',
  'abogada',
  'fundador',
  'fundadora',
  'presidenta',
  'asesor',
  'asesora',
  'departamento',
  // Italian
  'responsabile',
  'direttore',
  'direttrice',
  'coordinatore',
  'coordinatrice',
  'amministratore',
  'amministratrice',
  'titolare',
  'fondatore',
  'fondatrice',
  'avvocato',
  'avvocata',
  'consulente',
  'ufficio',
  'addetto',
  'addetta',
  // German (compounds are matched by their ending below)
  'geschäftsführer',
  'geschäftsführerin',
  'geschäftsleitung',
  'inhaber',
  'inhaberin',
  'prokurist',
  'prokuristin',
  'sachbearbeiter',
  'sachbearbeiterin',
  'vorstand',
  'justiziar',
  'justiziarin',
  'rechtsanwalt',
  'rechtsanwältin',
  'abteilung',
  // French
  'directeur',
  'directrice',
  'chef de projet',
  'chargé',
  'chargée',
  'gérant',
  'gérante',
  'associé',
  'associée',
  'fondateur',
  'fondatrice',
  'avocat',
  'avocate',
  'conseiller',
  'conseillère',
  'juriste',
  'acheteur',
  'acheteuse',
  // Portuguese
  'diretor',
  'diretora',
  'coordenador',
  'coordenadora',
  'advogado',
  'advogada',
  'analista',
  'assistente',
  // Dutch, Nordic
  'hoofd',
  'medewerker',
  'medewerkster',
  'eigenaar',
  'oprichter',
  'adviseur',
  'inkoper',
  'ansvarig',
  'grundare',
];

const TITLE = new RegExp(
  String.raw`(?<![\p{L}])(?:${[...TITLE_WORDS].sort((a, b) => b.length - a.length).join('|')})(?![\p{L}])`,
  'iu',
);
// German and Dutch compound titles: "Marketingleiterin", "Vertriebsreferent", "Projectmanager".
const TITLE_ENDING =
  /\p{L}(?:leiter|leiterin|manager|managerin|referent|referentin|berater|beraterin|direktor|direktorin|assistent|assistentin|beauftragter|beauftragte|medewerker|adviseur)(?![\p{L}])/iu;

/** "Senior Counsel", "Responsabile Acquisti", "Digital Marketing Coordinator", "Marketingleiterin". */
export function isTitleLine(line: string): boolean {
  if (line.length > 70) return false;
  return TITLE.test(line) || TITLE_ENDING.test(line);
}

// Words of a sentence addressed to the reader: "Call me on +1 303 555 0142" is content, not a card.
const PROSE_WORDS =
  /(?<![\p{L}])(?:i'm|i’m|me|my|we|our|you|your|please|call|ring|reach|ich|mich|mir|wir|uns|bitte|je|moi|nous|vous|llámame|llamar|llámanos|chiamami|chiamare|chiamateci|ruf|rufen|appelez|appelle)(?![\p{L}])/iu;

const PROSE_WORDS_CASED = /(?<![\p{L}])(?:I|us)(?![\p{L}'’])/u;

/** A short line that can sit in a contact card: no sentence, no question, nothing addressed to the reader. */
export function isCardLine(line: string): boolean {
  if (line.length === 0 || line.length > 80) return false;
  if (/[?!:;,]$/.test(line)) return false;
  if (PROSE_WORDS.test(line) || PROSE_WORDS_CASED.test(line)) return false;
  if (hasCompanySuffix(line)) return true;
  const words = line.split(/\s+/).length;
  if (words > 9) return false;
  if (/\.$/.test(line) && words >= 5) return false;
  // Lines of a card start with a capital, a digit, a "+" or a label; a lower-case start is a
  // continuation of a sentence (except a bare address or link).
  if (/^\p{Ll}/u.test(line) && !hasContactData(line)) return false;
  return true;
}

/** Is this card line evidence that the block is a card (rather than just short lines)? */
function isEvidence(line: string): boolean {
  return hasContactData(line) || hasCompanySuffix(line) || isTitleLine(line);
}

// A person's name: two to four capitalised words, with lower-case particles ("Ana de la Cruz",
// "Jan van der Berg") between them.
const NAME_WORD = String.raw`\p{Lu}[\p{L}'’.-]*`;
const PARTICLE = String.raw`(?:\s(?:de|da|del|della|di|do|dos|das|van|von|der|den|la|le|du|ten|ter|zu|y|bin|al))`;
const PERSON = new RegExp(String.raw`^${NAME_WORD}(?:${PARTICLE}{0,2}\s${NAME_WORD}){1,3}$`, 'u');
// "Sarah Chen | Marketing Director", "Sarah Chen, Senior Counsel", "Sarah Chen – Acme GmbH".
const NAME_AND_MORE = /^([^|,–—]{3,40}?)\s*(?:\||,|\s[–—-]\s)\s*(.{2,60})$/u;

export interface PersonLine {
  /** The line also carries a title or company ("Sarah Chen | Marketing Director"). */
  withTitle: boolean;
}

/** A line that names the sender: "Lena Ortiz", "Lucía Fernández", "Sarah Chen | Marketing Director". */
export function personLine(line: string): PersonLine | null {
  if (line.length > 100) return null;
  // "Brand Manager" and "Acme Outdoor Inc." have the shape of a name.
  if (PERSON.test(line)) return isTitleLine(line) || hasCompanySuffix(line) ? null : { withTitle: false };
  const m = NAME_AND_MORE.exec(line);
  if (m && PERSON.test((m[1] ?? '').trim())) {
    const rest = (m[2] ?? '').trim();
    if (isTitleLine(rest) || hasCompanySuffix(rest)) return { withTitle: true };
  }
  return null;
}

/** "Tom" above "Tom Becker": the sender's first name, signed above the card. */
export function isFirstNameOf(line: string, nameLine: string): boolean {
  if (line.length === 0 || line.length > 30 || /\s/.test(line)) return false;
  const first = nameLine.split(/\s/, 1)[0] ?? '';
  return line.replace(/[.,!]+$/u, '').toLocaleLowerCase() === first.toLocaleLowerCase();
}

const MAX_CARD_LINES = 7;

/**
 * Does a contact card start at line `i` and run to `last` (both in `lines`, which are trimmed)?
 * `breakAbove` tells whether the block is set off from the text above it (a blank line, a sign-off,
 * the sender's first name, a finished sentence).
 */
export function isCardAt(lines: readonly string[], i: number, last: number, breakAbove: boolean): boolean {
  const person = personLine(lines[i] ?? '');
  if (!person) return false;
  const below: string[] = [];
  for (let k = i + 1; k <= last; k++) {
    const l = lines[k] ?? '';
    if (l === '') continue;
    if (below.length === MAX_CARD_LINES || !isCardLine(l)) return false;
    below.push(l);
  }
  let evidence = person.withTitle ? 1 : 0;
  for (const l of below) if (isEvidence(l)) evidence++;
  if (evidence === 0) return false;
  return evidence >= 2 || breakAbove;
}

/** Could this line belong to a signature block (for what follows it: a disclaimer)? */
export function isCardish(line: string): boolean {
  if (line.length === 0 || line.length > 80) return false;
  return personLine(line) !== null || (isCardLine(line) && isEvidence(line));
}
