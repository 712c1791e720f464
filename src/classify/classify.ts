import type { AutomatedVerdict } from '../parse/automated.js';
import {
  ANY_APPROVAL,
  APPROVAL_TABLES,
  type ApprovalTable,
  ASKS_AGENCY,
  BOUNCE_TEXT,
  CONDITION,
  DATES,
  DEFERRAL,
  ENGLISH_QUESTION_START,
  FEEDBACK,
  FIRST_PERSON_PERFECT,
  FRENCH_ELIDED_NEGATION,
  HEDGE,
  MEETINGS,
  NEGATION,
  NEUTRAL_CONDITIONS,
  NOUN_HEAD_BLOCK,
  OTHER_OBJECT,
  OUT_OF_OFFICE,
  PERFECT_AUX,
  POSITIVE_HEDGES,
  POSITIVE_NEGATIONS,
  REJECTION,
  REPLY_SUBJECT,
  REPORTED_OR_FUTURE,
  REQUEST,
  REQUEST_ANY_OBJECT,
  RETRACTION,
  ROMANCE_AUX_BEFORE,
  ROMANCE_FIRST_PERSON_BEFORE,
  type Strength,
  SUBJECT_REQUEST,
  SUBORDINATE_HEAD,
  THANKS_OR_FYI,
} from './lexicon.js';
import {
  blank,
  clauseAround,
  lowerSameLength,
  matches,
  ownText,
  type Sentence,
  type Span,
  splitSentences,
  test,
  without,
} from './text.js';

/**
 * Visible text + automated verdict -> one intent with the phrase that decided it. Pure.
 *
 * A false approval is the worst error this product can make, so an approval phrase only counts when
 * every guard lets it through: it is the sender's own words (not forwarded, quoted or boilerplate),
 * not negated, not a question, not hedged, not conditional, not reported or future, and about the
 * work rather than an invoice. Everything that fails a guard becomes a non-approval intent with a
 * lower confidence, which sends the message to human triage.
 *
 * Mixed messages: a clear approval plus a requested change ("Approved. Can you fix the typo?") is a
 * `conditional_approval`: the client has agreed, but the lead must confirm the change was made, and
 * PRODUCT.md keeps conditional approvals open until a lead confirms them.
 */

export type Intent =
  | 'approval'
  | 'conditional_approval'
  | 'rejection'
  | 'feedback'
  | 'question'
  | 'request'
  | 'auto_reply'
  | 'bounce'
  | 'other';

export interface IntentResult {
  intent: Intent;
  confidence: number;
  decidingPhrase: string | null;
}

type Guard =
  | 'mention'
  | 'attributive'
  | 'negated'
  | 'question'
  | 'reported'
  | 'hedged'
  | 'other_object'
  | 'scheduling'
  | 'conditional';

interface ApprovalHit extends Span {
  sentence: Sentence;
  strength: Strength;
  guard: Guard | null;
  /** For negated hits: "not yet" (a pending decision) rather than a refusal. */
  pending: boolean;
}

interface Prepared extends Sentence {
  /** `text` is lower-cased for the tables; `cased` keeps capitals for the name heuristic. */
  cased: string;
  question: boolean;
}

/** Neutralised copies of a sentence for the guards, made only for sentences with an approval phrase. */
interface GuardViews {
  forNegation: string;
  forHedge: string;
  forCondition: string;
}

const CONFIDENCE: Record<Strength, number> = { strong: 0.95, medium: 0.88, weak: 0.78 };

/** More approval phrases than this in one sentence is not a decision: see `findApprovals`. */
const MAX_PHRASES_PER_SENTENCE = 12;
/** New text beyond this is not read for intent (a 250 KB change list took 27 ms). */
export const MAX_CLASSIFIED_CHARS = 20_000;

/** The text up to the last line break before `max` characters (or `max` when a line is longer). */
function cutAtLine(text: string, max: number): string {
  const end = text.lastIndexOf('\n', max);
  return text.slice(0, end > max / 2 ? end : max);
}

/**
 * What makes a negated approval a "not yet" (or "not like this") rather than a refusal: a pending
 * word, a deadline ("can't approve until legal has seen it") or "as it is", which asks for changes.
 */
const PENDING =
  /(?<![\p{L}])(?:yet|still|noch|encore|todavía|todavia|aún|ancora|ainda|nog|än|ännu|fortfarande|until|bis|jusqu|hasta|finché|até|tills|as is|as it is|like this|in this form|in its current form|so nicht|nicht so|das so|es so|so kann|so können|in dieser form|comme ça|en l'état|así no|no así|así como está|così|assim|desta forma|zo niet|niet zo|zo kan|op deze manier|så här|inte så)(?![\p{L}])/iu;

export function classifyIntent(input: {
  visibleText: string;
  subject: string;
  automated: AutomatedVerdict | null;
}): IntentResult {
  // Machine-written mail is never an approval, whatever its text says.
  if (input.automated) {
    return {
      intent: input.automated.kind === 'bounce' ? 'bounce' : 'auto_reply',
      confidence: 0.95,
      decidingPhrase: null,
    };
  }
  // A very long reply is read in part (the cost grows with the text: about 0.1 ms a KB), and then
  // never counts as a plain approval: what follows the part read could take it back.
  const truncated = input.visibleText.length > MAX_CLASSIFIED_CHARS;
  const visible = truncated ? cutAtLine(input.visibleText, MAX_CLASSIFIED_CHARS) : input.visibleText;
  const cased = ownText(visible);
  const own = lowerSameLength(cased);
  const sentences = splitSentences(cased).map((s) => prepare(s, own));
  const phrase = (s: Span) => visible.slice(s.start, s.end);

  const machine = machineText(sentences);
  if (machine) return { intent: machine.intent, confidence: 0.6, decidingPhrase: phrase(machine.sentence) };

  const hits = findApprovals(own, sentences);
  const first = (re: RegExp, accept: (s: Prepared) => boolean = () => true) =>
    firstSentence(re, own, sentences, accept);
  const rejection = first(REJECTION, (s) => !s.question);
  // "Can we move Thursday's call?" moves a meeting, not a logo.
  // Scanned with "no need to change" and the like blanked out. Like the requests below, scanned only
  // when a decision needs it: each table is a pass over the whole text.
  let feedbackAt: { sentence: Prepared | undefined } | undefined;
  const feedback = () => {
    feedbackAt ??= {
      sentence: firstSentence(
        FEEDBACK,
        blank(own, POSITIVE_NEGATIONS),
        sentences,
        (s) => !test(MEETINGS, s.text),
      ),
    };
    return feedbackAt.sentence;
  };
  const clean = hits.filter((h) => h.guard === null);
  const conditional = hits.filter((h) => h.guard === 'conditional');
  const negated = hits.filter((h) => h.guard === 'negated');
  const hedged = hits.filter((h) => h.guard === 'hedged');

  // A clear approval next to a negated or hedged one ("Approved from my side. Not approved for print
  // yet.") or an explicit rejection contradicts itself: a person must read it.
  // A hedge standing alone after the approval ("Approved... I guess") takes it back too.
  const afterthought = sentences.some((s) => atMostWords(s.text, 3) && test(HEDGE, s.text));
  const contradicted =
    negated.length > 0 ||
    hedged.length > 0 ||
    rejection !== undefined ||
    afterthought ||
    (hits.length > 0 && test(RETRACTION, own));
  const best = strongest(clean);
  if (best && !contradicted) {
    // The change request can be anywhere in the message: "Approved. One thing: fix the typo."
    const deferred = test(DEFERRAL, own);
    if (conditional.length > 0 || feedback() || deferred || truncated) {
      return { intent: 'conditional_approval', confidence: 0.8, decidingPhrase: phrase(best.sentence) };
    }
    return {
      intent: 'approval',
      confidence: CONFIDENCE[best.strength],
      decidingPhrase: phrase(best.sentence),
    };
  }
  const firstConditional = conditional[0];
  if (firstConditional && !contradicted) {
    return {
      intent: 'conditional_approval',
      confidence: 0.75,
      decidingPhrase: phrase(firstConditional.sentence),
    };
  }
  if (rejection) return { intent: 'rejection', confidence: 0.8, decidingPhrase: phrase(rejection) };
  // A plain refusal ("I can't approve this version", "vi godkänner inte") is the verdict even when
  // reasons or wishes follow; "not yet" or "not like this" with changes is feedback (below).
  const refusal = negated.find((h) => !h.pending);
  if (refusal) return { intent: 'rejection', confidence: 0.65, decidingPhrase: phrase(refusal.sentence) };
  // Whichever of a request for new work or a change request comes first is what the mail is about.
  // Within one sentence: a new, counted thing ("could you put together three banners") is a request,
  // then a change ("Kunnen jullie het logo groter maken?"), then a creation verb with any object.
  const work = (
    [
      [first(REQUEST), 'request'],
      [feedback(), 'feedback'],
      [first(REQUEST_ANY_OBJECT), 'request'],
    ] as const
  )
    .filter((w): w is readonly [Prepared, 'request' | 'feedback'] => w[0] !== undefined)
    .sort((a, b) => a[0].start - b[0].start)[0];
  if (work) return { intent: work[1], confidence: 0.75, decidingPhrase: phrase(work[0]) };
  // "Can't approve yet" with nothing to change only postpones, so it waits for a person.
  const firstNegated = negated[0];
  if (firstNegated)
    return { intent: 'other', confidence: 0.45, decidingPhrase: phrase(firstNegated.sentence) };
  // The subject can name a request ("Request: new banner set"); it never makes an approval.
  if (SUBJECT_REQUEST.test(input.subject.trim())) {
    return { intent: 'request', confidence: 0.55, decidingPhrase: null };
  }
  const questions = sentences.filter((s) => s.question);
  // A new thread (no reply prefix, no review tag) that asks the agency to do something is intake.
  if (!REPLY_SUBJECT.test(input.subject)) {
    const ask = questions.find((s) => test(ASKS_AGENCY, s.text) && !test(MEETINGS, s.text));
    if (ask) return { intent: 'request', confidence: 0.6, decidingPhrase: phrase(ask) };
  }
  const realQuestion = questions.find((s) => !test(MEETINGS, s.text));
  if (realQuestion) return { intent: 'question', confidence: 0.7, decidingPhrase: phrase(realQuestion) };
  const scheduling = questions[0];
  if (scheduling) return { intent: 'other', confidence: 0.6, decidingPhrase: phrase(scheduling) };
  const doubtful = hits[0];
  if (doubtful) return { intent: 'other', confidence: 0.4, decidingPhrase: phrase(doubtful.sentence) };
  const courtesy = first(THANKS_OR_FYI);
  if (courtesy) return { intent: 'other', confidence: 0.7, decidingPhrase: phrase(courtesy) };
  return { intent: 'other', confidence: 0.3, decidingPhrase: null };
}

function prepare(s: Sentence, lower: string): Prepared {
  const text = lower.slice(s.start, s.end);
  return {
    start: s.start,
    end: s.end,
    text,
    cased: s.text,
    question:
      text.includes('?') ||
      text.startsWith('¿') ||
      // Without a question mark, an English interrogative opener counts only when the sentence has no
      // closing punctuation at all: "What we need:" introduces a list.
      (ENGLISH_QUESTION_START.test(text) && /[\p{L}\p{N}]$/u.test(text)),
  };
}

/**
 * Each table runs once over the whole text rather than once per sentence (about five times fewer
 * regex calls on a typical reply); a match is then placed in its sentence.
 */
function* inSentences(
  re: RegExp,
  own: string,
  sentences: Prepared[],
  from = 0,
): Generator<{ sentence: Prepared; start: number; end: number }> {
  let i = 0;
  for (const m of matches(re, own, from)) {
    while (i < sentences.length && (sentences[i] as Prepared).end <= m.start) i++;
    const sentence = sentences[i];
    if (!sentence) return;
    if (m.start >= sentence.start && m.end <= sentence.end) {
      yield { sentence, start: m.start - sentence.start, end: m.end - sentence.start };
    }
  }
}

function firstSentence(
  re: RegExp,
  own: string,
  sentences: Prepared[],
  accept: (s: Prepared) => boolean,
): Prepared | undefined {
  for (const m of inSentences(re, own, sentences)) if (accept(m.sentence)) return m.sentence;
  return undefined;
}

function strongest(hits: ApprovalHit[]): ApprovalHit | undefined {
  const order: Strength[] = ['strong', 'medium', 'weak'];
  return [...hits].sort(
    (a, b) => order.indexOf(a.strength) - order.indexOf(b.strength) || a.start - b.start,
  )[0];
}

/**
 * Out-of-office and bounce text in mail whose headers did not say so: only at the very start, so a
 * person writing "your mail to Sam could not be delivered" later in a message is not a bounce.
 */
function machineText(sentences: Prepared[]): { intent: 'auto_reply' | 'bounce'; sentence: Prepared } | null {
  for (const s of sentences.slice(0, 2)) {
    if (test(BOUNCE_TEXT, s.text)) return { intent: 'bounce', sentence: s };
    if (
      test(OUT_OF_OFFICE, s.text) &&
      /(?<![\p{L}])(?:until|returning|back on|bis|jusqu|hasta|fino|até|tot)(?![\p{L}])/iu.test(s.text)
    ) {
      return { intent: 'auto_reply', sentence: s };
    }
  }
  return null;
}

function findApprovals(own: string, sentences: Prepared[]): ApprovalHit[] {
  // No table matches before the first position where any of them does.
  ANY_APPROVAL.lastIndex = 0;
  const first = ANY_APPROVAL.exec(own)?.index;
  if (first === undefined) return [];
  const found = new Map<Prepared, (Span & { table: ApprovalTable })[]>();
  for (const table of APPROVAL_TABLES) {
    for (const m of inSentences(table.re, own, sentences, first)) {
      const list = found.get(m.sentence) ?? [];
      list.push({ start: m.start, end: m.end, table });
      found.set(m.sentence, list);
    }
  }
  const hits: ApprovalHit[] = [];
  for (const [s, all] of found) {
    const doubtful = (m: Span & { table: ApprovalTable }): ApprovalHit => ({
      start: s.start + m.start,
      end: s.start + m.end,
      sentence: s,
      strength: m.table.strength,
      guard: 'hedged',
      pending: false,
    });
    // The guards read the whole sentence for every phrase, so a sentence stuffed with approval phrases
    // would cost quadratic time. Nobody decides that way: it goes to a person, unread.
    if (all.length > MAX_PHRASES_PER_SENTENCE * 2) {
      hits.push(doubtful(all[0] as Span & { table: ApprovalTable }));
      continue;
    }
    // One phrase can match two tables ("sign-off" and "consider this my sign-off"): the longest wins.
    all.sort((a, b) => b.end - b.start - (a.end - a.start));
    const local: typeof all = [];
    for (const m of all) {
      if (!local.some((o) => m.start < o.end && o.start < m.end)) local.push(m);
    }
    if (local.length === 0) continue;
    if (local.length > MAX_PHRASES_PER_SENTENCE) {
      hits.push(doubtful(local[0] as Span & { table: ApprovalTable }));
      continue;
    }
    const views: GuardViews = {
      forNegation: blank(s.text, POSITIVE_NEGATIONS),
      forHedge: blank(s.text, POSITIVE_HEDGES),
      forCondition: blank(s.text, NEUTRAL_CONDITIONS),
    };
    for (const m of local) {
      let guard = guardFor(s, views, m, m.table);
      if (m.table.negatedOnly && guard !== 'negated') guard = 'mention';
      hits.push({
        start: s.start + m.start,
        end: s.start + m.end,
        sentence: s,
        strength: m.table.strength,
        guard,
        pending: guard === 'negated' && PENDING.test(s.text),
      });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** The first guard that stops an approval phrase, or null when it approves. Order matters: see each. */
function guardFor(s: Prepared, v: GuardViews, hit: Span, table: ApprovalTable): Guard | null {
  const text = s.text;
  // Quoted words are mentioned, not meant: 'you asked us to reply "approved" but ...'.
  if (insideQuotes(text, hit) && text.replace(/"[^"]*"/g, '').replace(/[^\p{L}]/gu, '') !== '')
    return 'mention';
  // "FDA-approved", "pre-approved": a compound adjective in a signature or a footer, not a decision.
  if (text[hit.start - 1] === '-' || /^-\p{L}/u.test(text.slice(hit.end, hit.end + 2))) return 'attributive';
  const clause = clauseAround(text, hit);
  // The phrase itself stays in: "gebe das nicht frei" and "ne valide pas" carry their own negation.
  const negationScope = v.forNegation.slice(clause.start, clause.end);
  const inClause = without(v.forNegation, hit).slice(clause.start, clause.end);
  const before = text.slice(Math.max(0, hit.start - 40), hit.start);
  // Negation in the clause of the phrase, or in the three words before it even across a comma
  // ("not, however, approved"): both "not approved" and "nicht freigegeben" are refusals.
  if (
    test(NEGATION, negationScope) ||
    FRENCH_ELIDED_NEGATION.test(negationScope) ||
    test(NEGATION, lastWords(v.forNegation.slice(0, hit.start), 3)) ||
    FRENCH_ELIDED_NEGATION.test(lastWords(v.forNegation.slice(0, hit.start), 3))
  ) {
    return 'negated';
  }
  // A question about approval ("is this approved?", "can we approve this today?") decides nothing.
  if (text.indexOf('?', hit.start) >= 0 || text.startsWith('¿')) return 'question';
  if (s.question) return 'question';
  if (test(SUBORDINATE_HEAD, text.slice(clause.start, hit.start))) return 'reported';
  if (NOUN_HEAD_BLOCK.test(before)) return 'reported';
  if (table.englishVerb) {
    const verdict = englishVerbGuard(s, clause, hit);
    if (verdict) return verdict;
  } else {
    // Someone else's decision or a future one: "Sam hat es freigegeben", "la junta lo aprobará",
    // "freigegeben von Katrin", "validé par le client".
    if (AGENT_AFTER.test(text.slice(hit.end, hit.end + 30))) return 'reported';
    if (test(REPORTED_OR_FUTURE, inClause)) return 'reported';
    if (test(PERFECT_AUX, inClause) && !test(FIRST_PERSON_PERFECT, inClause)) return 'reported';
    if (ROMANCE_AUX_BEFORE.test(before) && !ROMANCE_FIRST_PERSON_BEFORE.test(before)) return 'reported';
  }
  // "I approved the invoice" on a design thread approves something else.
  if (test(OTHER_OBJECT, text)) return 'other_object';
  if (table.scheduling) {
    const re = table.scheduling === 'dates' ? [MEETINGS, DATES] : [MEETINGS];
    if (re.some((r) => test(r, without(text, hit)))) return 'scheduling';
  }
  // Hedges anywhere in the sentence: "Approved, I think", "probably good to go".
  if (test(HEDGE, without(v.forHedge, hit))) return 'hedged';
  // Conditions anywhere in the sentence: "approved once the logo is bigger", "ok to go, pending legal".
  if (test(CONDITION, without(v.forCondition, hit))) return 'conditional';
  return null;
}

function insideQuotes(text: string, hit: Span): boolean {
  const quotesBefore = (text.slice(0, hit.start).match(/"/g) ?? []).length;
  return quotesBefore % 2 === 1 && text.indexOf('"', hit.end) >= 0;
}

const WORD = /[\p{L}\p{N}']+/gu;

/** Whether the text has at most `max` words; stops counting there (it runs on every sentence). */
function atMostWords(text: string, max: number): boolean {
  WORD.lastIndex = 0;
  let count = 0;
  while (WORD.exec(text) !== null) if (++count > max) return false;
  return true;
}

function lastWords(text: string, n: number): string {
  const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
  return words.slice(-n).join(' ');
}

const TRAILING_ADVERBS = new Set([
  'hereby',
  'herewith',
  'also',
  'now',
  'officially',
  'formally',
  'fully',
  'just',
  'finally',
  'totally',
  'definitely',
  'happily',
  'gladly',
  'really',
  'certainly',
  'absolutely',
  'so',
  'then',
  'completely',
  'entirely',
  'both',
]);

const MODALS = new Set([
  'will',
  'would',
  'should',
  'shall',
  'must',
  'might',
  'may',
  'can',
  'could',
  'gonna',
  'wanna',
  "'ll",
  "'d",
]);

const PAST_OR_PASSIVE_AUX = new Set([
  'was',
  'were',
  'been',
  'had',
  'be',
  'being',
  'get',
  'gets',
  'got',
  'getting',
]);

const THIRD_PERSONS = new Set([
  'he',
  'she',
  'they',
  'you',
  'someone',
  'somebody',
  'everyone',
  'everybody',
  'nobody',
  'who',
  'boss',
  'manager',
  'director',
  'ceo',
  'cfo',
  'cmo',
  'md',
  'board',
  'client',
  'legal',
  'compliance',
  'team',
  'committee',
  'management',
  'colleague',
  'colleagues',
  'partner',
  'founder',
  'owner',
  'sales',
  'finance',
  'marketing',
  'hr',
]);

/** Subjects that make "X's approved" read as "X is approved" (the work) rather than "X has approved". */
const ITEM_SUBJECTS = new Set([
  'it',
  'that',
  'this',
  'everything',
  'all',
  'what',
  'which',
  'design',
  'layout',
  'copy',
]);

/** Capitalised words that start a sentence without being a person's name. */
const COMMON_CAPITALS = new Set([
  'i',
  'ok',
  'okay',
  'all',
  'everything',
  'this',
  'that',
  'it',
  'these',
  'those',
  'great',
  'perfect',
  'fine',
  'good',
  'yes',
  'yep',
  'yeah',
  'super',
  'lovely',
  'brilliant',
  'excellent',
  'awesome',
  'fantastic',
  'amazing',
  'wonderful',
  'beautiful',
  'nice',
  'cool',
  'now',
  'fully',
  'hereby',
  'both',
  'we',
  'finally',
  'otherwise',
  'besides',
  'so',
  'and',
  'well',
  'sure',
  'right',
  'then',
  'also',
  'just',
  'hi',
  'hello',
  'thanks',
]);

const WORK_SUBJECT =
  /^(?:v\d+|version|design|designs|draft|drafts|layout|layouts|concept|concepts|copy|banner|banners|poster|posters|flyer|flyers|artwork|visual|visuals|headline|headlines|logo|logos|label|labels|page|pages|video|videos|storyboard|brochure|newsletter|template|templates|mockup|mockups|deck|option|options|file|files|proof|proofs|final|finals|everything|all|both|set|images|image|photos|photo|creative|creatives)$/i;

const ACTIVE_OBJECT = /^\s*(?:the|it|this|that|them|these|those|v\d+|version|your|our|his|her|a|an)\b/i;

const ATTRIBUTIVE_NOUN =
  /^\s*(?:supplier|suppliers|partner|partners|vendor|vendors|installer|contractor|dealer|reseller|provider|agency|training|centre|center|list|for (?:distribution|release|external|internal|publication|use))\b/i;

const HEAD_FUTURE =
  /\b(?:will|would|should|shall|must|might|may|could|gonna|need(?:s|ed)? to|ha(?:ve|s|d) to|going to|want(?:s|ed)? to|hope to|plan to|get|gets|got|getting|to be|trying to|try to)\b|\w'(?:ll|d)\b/i;

/**
 * An agent after the phrase that is not the sender: "freigegeben von Katrin", "green light from Sarah",
 * "grönt ljus från Elin". The sender's own side passes: "von meiner Seite", "de mon côté", "från oss".
 */
const AGENT_AFTER =
  /^\s*(?:von|vom|par|du|des|por|da|dal|dalla|dallo|dai|dalle|pelo|pela|pelos|pelas|door|by|av|from|från|de|di|van)\s+(?!(?:(?:both|sowohl|tanto|sia|zowel|både)\s+)?(?:mig|oss|mej|min|mitt|vår|vårt|ma|mon|mes|notre|nos|mio|nostro|meu|nosso|myself|ourselves|mir|uns|meiner|unserer|moi|nous|notre|mí|mi|nosotros|nuestra|nuestro|me|noi|mia|nostra|parte|mim|nós|minha|nossa|mij|ons|onze|mijn|my|our|us)(?![\p{L}]))/iu;

/**
 * What may follow a clause-initial "approved": anything else makes it an adjective before a noun
 * ("Approved copy deck attached", "approved concepts from the last round").
 */
const AFTER_APPROVED =
  /^(?:\s*$|\s*[^\s\p{L}\p{N}]|\s+(?:from|for|by|with|as|on|in|at|and|now|here|again|too|also|then|so|all|everything|both|thanks|thank|the|this|that|these|those|it|them|v\d+|version|option|once|if|but|though|subject|provided|unless|except|pending|i|we|just|today|yes|ok|okay|everyone|team|guys|asap|pls|please|\d)(?![\p{L}]))/iu;

const ENGLISH_TIME =
  /\b(?:yesterday|last (?:week|month|time|year|round)|earlier|previously|already|ago|tomorrow|next (?:week|month)|later|eventually|in the (?:meeting|call)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/i;

/**
 * English verb forms ("approve", "approved", "signed off") need their subject and auxiliary read:
 * "Sam approved the draft" and "the board will approve it" report or predict someone else's
 * decision, "please approve" asks for one, "looks approved to me" hedges, "the approved version"
 * describes. Only the sender's own present decision passes.
 */
function englishVerbGuard(s: Prepared, clause: Span, hit: Span): Guard | null {
  const text = s.text;
  const word = text.slice(hit.start, hit.end);
  const headOriginal = s.cased.slice(clause.start, hit.start);
  const tail = text.slice(hit.end, clause.end);
  const tokens = (
    headOriginal.replace(/(\p{L})'(s|ve|re|m|ll|d)(?![\p{L}])/giu, "$1 '$2").match(/[\p{L}\p{N}']+/gu) ?? []
  ).filter((t) => t !== "'");
  while (tokens.length > 0 && TRAILING_ADVERBS.has((tokens[tokens.length - 1] as string).toLowerCase()))
    tokens.pop();
  const lastOriginal = tokens[tokens.length - 1];
  const last = lastOriginal?.toLowerCase();
  const prev = tokens[tokens.length - 2]?.toLowerCase();
  const signOff = word.startsWith('sign');

  if (ATTRIBUTIVE_NOUN.test(tail) && !signOff) return 'attributive';
  if (/^\s*by\s+(?!(?:me|us|myself|ourselves|my side|our side|my end|our end)\b)/i.test(tail))
    return 'reported';
  if (signOff && /^\s*(?:for the (?:day|week|weekend|holidays?|year)|now)\b/i.test(tail)) return 'reported';
  if (
    ENGLISH_TIME.test(
      without(text.slice(clause.start, clause.end), {
        start: hit.start - clause.start,
        end: hit.end - clause.start,
      }),
    )
  ) {
    return 'reported';
  }
  if (last === undefined) {
    // Clause-initial: "Approved.", "Signed off from my side", "Approving v2 now". A bare "approve",
    // "approves" or "sign off" is an instruction to someone else or a third person's habit.
    if (word === 'approve' || word === 'approves') return 'reported';
    if (word === 'approved' && !AFTER_APPROVED.test(tail)) return 'attributive';
    if (/^signs?[- ]?off/.test(word)) {
      const mine =
        /^\s*from (?:me|us|my|our)\b/i.test(tail) ||
        (word.endsWith(' on') && /^\s*(?:this|it|v\d|the)\b/i.test(tail));
      return mine ? null : 'reported';
    }
    return null;
  }
  if (['the', 'a', 'an', 'our', 'your', 'their', 'its', 'his', 'her', 'my', 'any'].includes(last)) {
    return signOff ? 'reported' : 'attributive';
  }
  if (
    [
      'for',
      'need',
      'needs',
      'awaiting',
      'await',
      'pending',
      'request',
      'requesting',
      'without',
      'give',
      'final',
      'formal',
      'official',
    ].includes(last)
  ) {
    return 'reported';
  }
  if (MODALS.has(last) || /'(?:ll|d)$/.test(last)) return 'hedged';
  // A modal or causative anywhere before the verb: "I need to get this approved by my boss".
  if (HEAD_FUTURE.test(headOriginal)) return 'reported';
  if (last === 'to') {
    return prev && ['happy', 'pleased', 'glad', 'delighted'].includes(prev) ? null : 'reported';
  }
  if (['please', 'pls', 'kindly'].includes(last)) return 'reported';
  if (tokens.some((t) => /^(?:looks?|seems?|appears?)$/i.test(t))) return 'hedged';
  if (PAST_OR_PASSIVE_AUX.has(last)) return 'reported';
  if (word === 'approves' || /^signs/.test(word)) return 'reported';
  if (['is', 'are', 'am', "'re", "'m"].includes(last)) {
    if (word === 'approving' || word === 'signing off')
      return prev === 'i' || prev === 'we' ? null : 'reported';
    return prev && THIRD_PERSONS.has(prev) && prev !== 'they' ? 'reported' : null;
  }
  if (last === "'s") return prev && (ITEM_SUBJECTS.has(prev) || WORK_SUBJECT.test(prev)) ? null : 'reported';
  if (['has', 'have', "'ve"].includes(last))
    return prev === undefined || prev === 'i' || prev === 'we' ? null : 'reported';
  if (last === 'i' || last === 'we') return null;
  if (THIRD_PERSONS.has(last)) return 'reported';
  if (word === 'approve' || word === 'approving') return 'reported';
  if (WORK_SUBJECT.test(last) || ITEM_SUBJECTS.has(last)) return null;
  // A capitalised word that is not a common sentence opener is most likely a name: "Sam approved".
  if (lastOriginal && /^\p{Lu}/u.test(lastOriginal) && !COMMON_CAPITALS.has(last)) return 'reported';
  // An unknown subject with an object after the verb is an active report: "marketing approved it".
  if (ACTIVE_OBJECT.test(tail)) return 'reported';
  return null;
}
