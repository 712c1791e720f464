import { anyOf, atSentenceStart, preceded, union } from './text.js';

/**
 * Rule tables, one block per language (en, de, fr, es, it, pt, nl, sv). Each table is a list of regex
 * sources joined into one letter-bounded, case-insensitive regex (see `anyOf`), so adding a phrase is
 * one line. Sources use only bounded repetition: no nested quantifiers, no catastrophic backtracking.
 */

export type Strength = 'strong' | 'medium' | 'weak';

export interface ApprovalTable {
  strength: Strength;
  re: RegExp;
  /** English verb forms go through the subject/auxiliary check (reported speech, future, "please approve"). */
  englishVerb?: boolean;
  /** Agreement words that also answer meeting proposals: ignored when the sentence is about a time or a call. */
  /**
   * Agreement words that also answer meeting proposals ("Thursday works for me", "Akkoord voor dinsdag"):
   * `dates` ignores the phrase when the sentence names a meeting, a time or a day; `meetings` only
   * for a meeting or a clock time (go-ahead words often come with "print tomorrow").
   */
  scheduling?: 'dates' | 'meetings';
  /**
   * Infinitives and base forms ("approvarlo", "freigeben", "godkänna") only ever decide as a refusal
   * ("non posso approvarlo"); unnegated they are talk about approving, never an approval.
   */
  negatedOnly?: boolean;
}

// --- Approval phrases -------------------------------------------------------------------------------

const EN_VERB = anyOf(['approv(?:e|ed|es|ing)', 'sign(?:ed|s|ing)?[- ]?off(?: on)?', 'signoff']);

const EN_STRONG = anyOf([
  'lgtm',
  "(?:you(?:'ve| have)|here'?s|here is|consider this|take this as|this is) (?:my|our) (?:full |final |formal |official )?(?:approval|sign[- ]?off|go[- ]ahead|green light|blessing)",
  '(?:approval|sign[- ]?off|go[- ]ahead) (?:is )?(?:granted|given|confirmed)',
  'green[- ]?lit',
  '(?:final |full |formal |official )?(?:approval|sign[- ]?off|go[- ]ahead) from (?:me|us|my side|our side|my end|our end)',
]);

const EN_MEDIUM = anyOf([
  'good to go',
  '(?:ok|okay) to (?:go|print|publish|launch|go live|proceed|send|post|ship|release)',
  '(?:good|cleared|ready|fine) (?:to|for) (?:print|press|publish|publication|launch|go live|release)',
  'green[- ]?light(?: (?:from (?:me|us|my side|our side)))?',
  'ship it',
  'go for it',
  'please (?:do )?proceed',
  'you (?:can|may) (?:now )?(?:go ahead|proceed)',
  'feel free to (?:go ahead|proceed)',
  'looks good to (?:me|us)',
  'go ahead(?= *(?:$|[.!,;:]| (?:with (?:it|this|that|these|those|v\\d|version|the (?:print|launch|rollout|final|design|post|campaign|send))|and (?:print|publish|launch|send|schedule|post|ship|go live|finali[sz]e|roll|release|run|proceed|book the print)|from (?:me|us|my side|our side|our end)|then|please)))',
  'all good,? (?:please )?(?:go ahead|proceed)',
  '(?:happy|ok|okay|fine) for (?:you|this|it|them) to (?:go ahead|go live|go out|proceed|print|publish|launch)',
  'all good (?:from|on) (?:me|us|my side|our side|my end|our end)',
]);

const EN_WEAK = anyOf([
  'no (?:further|more|other) (?:changes|comments|edits|amends|feedback|notes)(?: (?:from|on) (?:me|us|my side|our side|my end|our end))?',
  'no changes (?:needed|required|from (?:me|us|my side|our side|our end))',
  "(?:let'?s|we'?ll|we will) go with (?:this|it|that|v\\d+|version \\d+|option \\w+|the (?:\\w+ )?(?:one|version|option|design|concept|draft|layout))",
  '(?:very |really |super |more than )?happy with (?:it|this|that|these|them|v\\d+|the (?:final |latest |new |revised |updated |second |last |current )?(?:version|design|draft|layout|concept|result|changes|update|files?|banners?|copy|artwork|visuals?))',
  'thumbs up from (?:me|us)',
]);

const EN_AGREEMENT = anyOf(['(?:fine|ok|okay|good) (?:by|with) (?:me|us)', 'works for (?:me|us)']);

const DE_STRONG = anyOf([
  'freigegeben',
  '(?:gebe|geben)(?: [\\p{L}\\p{N}-]+){0,4} frei',
  'freigabe (?:ist )?(?:erteilt|gegeben|von (?:mir|uns|meiner seite|unserer seite))',
  '(?:sie haben|ihr habt|du hast|hiermit) (?:meine|unsere|die) (?:finale )?freigabe',
  'abgenommen',
  'genehmigt',
  'abgesegnet',
]);

const DE_MEDIUM = anyOf([
  'passt so',
  'so passt (?:es|das)',
  'passt alles',
  '(?:gerne|gern|bitte) so umsetzen',
  'so umsetzen',
  'kann so (?:raus|bleiben|online|live|in den druck|in (?:die )?produktion|gedruckt werden|veröffentlicht werden)',
  '(?:gerne |gern |bitte )?so (?:veröffentlichen|drucken|live schalten|online stellen|rausschicken|freischalten|produzieren|in (?:den )?druck geben|in (?:die )?produktion geben)',
  '(?:ok|okay|go) von (?:mir|uns|meiner seite|unserer seite)',
  'von (?:mir|uns|meiner seite|unserer seite) (?:aus )?(?:ok|okay|go)',
  'daumen hoch',
  'können so (?:raus|bleiben|online|live|in den druck|gedruckt werden)',
  'grünes licht',
  'go von (?:mir|uns|meiner seite|unserer seite)',
  // "ist die Startseite so in Ordnung": the subject may sit between verb and "so in Ordnung".
  '(?:ist|sind)(?: [\\p{L}-]+){0,3} so in ordnung',
  // Permission to publish: "Sie können sie freischalten", "ihr könnt drucken".
  '(?:sie können|ihr könnt|du kannst) (?:\\p{L}+ ){0,2}(?:freischalten|veröffentlichen|drucken|live (?:gehen|schalten)|online (?:gehen|stellen)|in (?:den )?druck geben|rausschicken|loslegen)',
]);

/** `atSentenceStart`: tables run over the whole text, so a sentence start is a lookbehind, not `^`. */
const DE_WEAK = anyOf([
  'einverstanden',
  `${atSentenceStart('passt')}(?= *(?:[.!]+(?: |$|\\n)|$|\\n))`,
  // "Passt, danke!" but not "Passt, aber ...".
  `${atSentenceStart('passt')}(?=, (?:danke|vielen dank|top|super|perfekt)(?![\\p{L}]))`,
]);

const FR_STRONG = anyOf([
  'valid(?:é|ée|és|ées)',
  // The elided negation is part of the phrase so that "je ne valide pas" is seen as negated.
  "(?:je|on) (?:ne |n')?(?:la |le |les |l')?valide",
  "nous (?:ne |n')?(?:la |le |les |l')?validons",
  'bon pour accord',
  'bon à tirer',
  'approuv(?:é|ée|és|ées)',
  "j'approuve",
  'nous approuvons',
]);

const FR_MEDIUM = anyOf([
  'bon pour (?:moi|nous)',
  'bon pour (?:impression|diffusion|publication|parution|la production)',
  '(?:je donne|nous donnons|on donne) (?:mon|notre) (?:accord|feu vert|go|aval)',
  '(?:vous avez|tu as) (?:mon|notre) (?:accord|feu vert|go|aval)',
  'feu vert',
  'vous pouvez (?:y aller|lancer|imprimer|publier|envoyer|procéder|continuer|valider)',
  'allez-y',
  'go pour (?:moi|nous)',
  'on part (?:là-dessus|sur (?:cette version|celle-ci|ça))',
  "c'est (?:tout )?bon pour (?:moi|nous)",
]);

const FR_WEAK = anyOf(['ok pour (?:moi|nous)', 'ça (?:me|nous) va']);

const ES_STRONG = anyOf([
  'aprobad(?:o|a|os|as)',
  'apruebo',
  'aprobamos',
  '(?:lo|la|los|las) aprobamos',
  'validad(?:o|a|os|as)',
]);

const ES_MEDIUM = anyOf([
  preceded('(?:más|mas|para|aquí en|de ahora en) ', 'adelante', true),
  'luz verde',
  'visto bueno',
  '(?:damos|doy) (?:el|nuestro|mi) (?:ok|okey|visto bueno)',
  '(?:podéis|podeis|pueden|puedes|puede) (?:seguir|continuar|proceder|avanzar|publicar|imprimir|lanzar)',
  'seguid(?: adelante)?',
]);

const ES_WEAK = anyOf(['(?:ok|vale|perfecto|bien) por mi parte', 'de acuerdo']);

const IT_STRONG = anyOf(['approvat(?:o|a|i|e)', 'approvo', 'approviamo', 'validat(?:o|a|i|e)']);

const IT_MEDIUM = anyOf([
  'procedete(?: pure)?',
  'procedi(?: pure)?',
  '(?:potete|puoi|può) (?:procedere|stampare|pubblicare|andare avanti|mandare in stampa)',
  "(?:diamo|do) (?:l'ok|il via libera|il benestare|l'approvazione)",
  'andate avanti',
  'via libera',
  'per me (?:va bene|è ok|ok)',
  'benestare',
  'semaforo verde',
]);

const IT_WEAK = anyOf(['ok per me', 'per noi va bene']);

const PT_STRONG = anyOf(['aprovad(?:o|a|os|as)', 'aprovo', 'aprovamos', 'validad(?:o|a|os|as)']);

const PT_MEDIUM = anyOf([
  '(?:pode|podem|podes) (?:seguir|avançar|prosseguir|continuar|publicar|imprimir|lançar|mandar ver)',
  'sinal verde',
  '(?:damos|dou) (?:o|a nossa|o nosso|o meu|a minha) (?:ok|aval|aprovação)',
  'luz verde',
]);

const PT_WEAK = anyOf(['(?:ok|certo) por mim', 'por mim (?:está )?(?:ok|tudo bem|certo)', 'de acordo']);

const NL_STRONG = anyOf(['goedgekeurd', 'keur(?:en)?(?: [\\p{L}\\p{N}-]+){0,3} goed']);

const NL_WEAK = anyOf(['akkoord', 'prima zo']);

const NL_MEDIUM = anyOf([
  'ga (?:je|jullie) gang',
  'gaan jullie (?:je|jullie) gang',
  'ga(?:an)? (?:maar )?(?:door|verder)',
  '(?:mag|kan) zo (?:door|live|naar de drukker|gedrukt worden)',
  '(?:jullie|je|u) (?:mogen|mag) (?:\\p{L}+ ){0,2}(?:drukken|publiceren|live zetten|versturen|plaatsen|doorzetten)',
  'mag (?:hij|het|ze|die|deze) (?:live|door|online|de deur uit)',
  'groen licht',
]);

const SV_STRONG = anyOf(['godkän(?:d|t|da)']);

/**
 * Present tense is the same for every person in Swedish, so only the sender's "jag/vi" decides; it is
 * also the future ("vi godkänner på måndag"), hence the date check.
 */
const SV_PRESENT = anyOf(['(?:jag|vi) godkänner', 'godkänner (?:jag|vi)']);

const SV_MEDIUM = anyOf([
  'grönt ljus',
  'kör på(?= *(?:[.!,]|$| det| den| med))',
  // "Kör!" alone is the colloquial go-ahead; inside a sentence "kör" is just "run/drive".
  `${atSentenceStart('(?:(?:ja|ok|okej|perfekt|toppen|snyggt|bra),? )?kör')}(?= *(?:[.!]+(?: |$|\\n)|$|\\n))`,
  'klart för (?:tryck|publicering|lansering)',
  'ni kan (?:köra|trycka|publicera|gå vidare|skicka till tryck|lägga upp)',
  'tummen upp',
]);

const SV_WEAK = anyOf([
  '(?:ok|okej) (?:för|från) (?:mig|oss|min sida|vår sida)',
  '(?:funkar|fungerar) för (?:mig|oss)',
]);

/** Base forms that only count when negated: see `ApprovalTable.negatedOnly`. */
const NEGATABLE = anyOf([
  'freigeben',
  'valider',
  'approuver',
  'aprobar(?:lo|la|los|las)?',
  'approvar(?:e|lo|la|li|le)',
  'aprovar(?:-?(?:o|a|os|as|lo|la|los|las))?',
  'goedkeuren',
  'godkänna',
]);

export const APPROVAL_TABLES: ApprovalTable[] = [
  { strength: 'strong', re: EN_VERB, englishVerb: true },
  { strength: 'strong', re: EN_STRONG },
  { strength: 'medium', re: EN_MEDIUM },
  { strength: 'weak', re: EN_WEAK },
  { strength: 'weak', re: EN_AGREEMENT, scheduling: 'dates' },
  { strength: 'strong', re: DE_STRONG },
  { strength: 'medium', re: DE_MEDIUM },
  { strength: 'weak', re: DE_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: FR_STRONG },
  { strength: 'medium', re: FR_MEDIUM },
  { strength: 'weak', re: FR_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: ES_STRONG },
  { strength: 'medium', re: ES_MEDIUM, scheduling: 'meetings' },
  { strength: 'weak', re: ES_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: IT_STRONG },
  { strength: 'medium', re: IT_MEDIUM, scheduling: 'meetings' },
  { strength: 'weak', re: IT_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: PT_STRONG },
  { strength: 'medium', re: PT_MEDIUM, scheduling: 'meetings' },
  { strength: 'weak', re: PT_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: NL_STRONG },
  { strength: 'medium', re: NL_MEDIUM, scheduling: 'meetings' },
  { strength: 'weak', re: NL_WEAK, scheduling: 'dates' },
  { strength: 'strong', re: SV_STRONG },
  { strength: 'strong', re: SV_PRESENT, scheduling: 'dates' },
  { strength: 'medium', re: SV_MEDIUM, scheduling: 'meetings' },
  { strength: 'weak', re: SV_WEAK, scheduling: 'dates' },
  { strength: 'weak', re: NEGATABLE, negatedOnly: true },
];

/**
 * Every approval table at once. Most replies hold no approval phrase at all (73% of the ingest
 * benchmark's); one scan with this tells, instead of one scan per table (0.09 against 0.47 ms).
 */
export const ANY_APPROVAL = union(APPROVAL_TABLES.map((t) => t.re));

// --- Guards ---------------------------------------------------------------------------------------

/**
 * Phrases that contain a negation word but say something positive ("no changes", "pas de souci").
 * They are blanked before negation is looked for, otherwise "Approved, no further changes" would be
 * read as negated.
 */
export const POSITIVE_NEGATIONS = anyOf([
  'no (?:further |more |other |additional )?(?:changes?|comments?|notes?|edits?|amends?|feedback|objections?|issues?|problems?|concerns?|complaints?|questions?|worries)',
  'no problem',
  'no need to (?:change|wait)',
  // Not a refusal but a hedge: blanked here so the hedge table decides ("not sure it's good to go").
  "(?:i'?m |i am |we'?re |we are )?not (?:quite |entirely |totally |completely |100% )?(?:sure|certain)",
  'nothing (?:else |more )?to (?:add|change)',
  // "Nothing is missing" is praise, not a gap.
  'nothing (?:is )?missing',
  'es fehlt nichts',
  'nichts fehlt',
  'il ne manque rien',
  'no (?:nos )?falta nada',
  'non (?:ci )?manca (?:nulla|niente)',
  'não falta nada',
  'er ontbreekt niets',
  'niets ontbreekt',
  '(?:inget|ingenting) saknas',
  "(?:can(?:no|')t|cannot) wait",
  "could(?:n't| not) be (?:happier|better)",
  "(?:would(?:n't| not)|do(?:n't| not)) change a thing",
  'not only',
  'why not',
  'keine (?:weiteren |sonstigen |anderen )?(?:änderungen|anmerkungen|einwände|korrekturen|fragen)',
  'kein problem',
  'nichts (?:mehr )?(?:zu ändern|hinzuzufügen)',
  'pas de (?:souci|soucis|problème|modification|modifications|remarque|remarques)',
  'aucune? (?:autre )?(?:modification|remarque|correction|objection|souci)s?',
  'rien à (?:ajouter|changer|redire)',
  '(?:sin|ningún|ninguna|no hay) (?:más )?(?:cambios?|comentarios?|problemas?|objeciones?|problema)',
  'nada que (?:añadir|cambiar)',
  'nessun(?:a|o)? (?:altr[ao] )?(?:modific[ah]e?|problema|commento|commenti|osservazion[ei])',
  'niente da (?:aggiungere|cambiare)',
  '(?:sem|nenhuma?) (?:mais )?(?:alteraç(?:ão|ões)|comentários?|problemas?|ajustes?)',
  'nada a (?:acrescentar|mudar|alterar)',
  'geen (?:verdere |andere )?(?:wijzigingen|opmerkingen|aanpassingen|probleem|bezwaar)',
  'niets (?:meer )?(?:aan te passen|toe te voegen)',
  '(?:inga|inget) (?:fler |andra |ytterligare )?(?:ändringar|synpunkter|kommentarer|problem|invändningar|frågor)',
  'inget (?:mer )?att (?:ändra|tillägga)',
]);

export const NEGATION = anyOf([
  'not',
  'no',
  'never',
  'nor',
  'neither',
  'nope',
  'cannot',
  "[\\p{L}]+n't",
  '(?:isnt|arent|wasnt|werent|dont|doesnt|didnt|cant|couldnt|wont|wouldnt|shouldnt|havent|hasnt|hadnt)',
  'nicht',
  'kein(?:e|en|em|er|es)?',
  'nie',
  'niemals',
  'pas',
  'ne',
  'jamais',
  'aucun(?:e)?',
  'non',
  'nunca',
  'tampoco',
  // Spanish "ni" only before what it negates: in Swedish "ni" is "you" ("ni kan lägga upp dem").
  'ni(?= (?:siquiera|aprob\\p{L}*|apruebo|aprobamos|validad[oa]|lo|la|los|las|de|el|un|una|está|es)(?![\\p{L}]))',
  'né',
  'mai',
  'nessun(?:o|a)?',
  'não',
  'nao',
  'nem',
  'niet',
  'geen',
  'nooit',
  'nee',
  'inte',
  'ej',
  'icke',
  'aldrig',
  'ingen',
  'inget',
  'inga',
  'nej',
  // Words that say the approval is absent or awaited: "todavía falta el visto bueno".
  'missing',
  'outstanding',
  'awaiting',
  'fehlt',
  'ausstehend',
  'manque',
  'falta',
  'faltan',
  'manca',
  'mancano',
  'ontbreekt',
  'saknas',
]);

/** Taking an approval back anywhere in the message makes every approval in it doubtful. */
export const RETRACTION = anyOf([
  'by mistake',
  'mistakenly',
  'accidentally',
  'in error',
  'ignore (?:my|that|this|the)',
  'please ignore',
  'disregard',
  'retract\\w*',
  'withdraw\\w*',
  'revoke\\w*',
  'premature(?:ly)?',
  'too early',
  'versehentlich',
  'aus versehen',
  'zurück(?:ziehen|gezogen)',
  'par erreur',
  'annul\\w*',
  'por error',
  'por equivocación',
  'per errore',
  'por engano',
  'per ongeluk',
  'vergissing',
  'intrekken',
  'av misstag',
  'återkalla\\w*',
]);

/** "n'" is glued to the next word ("n'est"), so the word-bounded table cannot see it. */
export const FRENCH_ELIDED_NEGATION = /(?<![\p{L}])n'(?=[\p{L}])/iu;

/** Hedges: the sender is not committing ("approved I think?", "probably fine"). Sentence scope. */
export const HEDGE = anyOf([
  'seems?',
  'appears? to',
  'looks like',
  'sounds like',
  'i think',
  'i guess',
  'i believe',
  'i suppose',
  'i assume',
  'i hope',
  "i'?d say",
  'i would say',
  'probably',
  'maybe',
  'perhaps',
  'possibly',
  'presumably',
  'likely',
  'hopefully',
  'tentatively',
  'provisionally',
  'in principle',
  'in theory',
  'not (?:quite )?sure',
  'unsure',
  '(?:pretty|fairly|almost) sure',
  'mostly',
  'largely',
  'almost',
  'nearly',
  'for now',
  'as far as i can (?:tell|see)',
  'from what i can (?:tell|see)',
  'sort of',
  'kind of',
  'more or less',
  'should be (?:fine|ok|okay|good|alright)',
  'ich glaube',
  'glaube ich',
  'ich denke',
  'denke ich',
  'vermutlich',
  'wahrscheinlich',
  'vielleicht',
  'eventuell',
  'grundsätzlich',
  'im prinzip',
  'eigentlich',
  'vorläufig',
  'vorerst',
  'erstmal',
  'erst mal',
  'wohl',
  'ich nehme an',
  'je pense',
  'je crois',
  'peut-être',
  'probablement',
  'a priori',
  'en principe',
  'sans doute',
  'il me semble',
  'semble',
  'normalement',
  "pour l'instant",
  'provisoirement',
  'je suppose',
  'creo',
  'quizás?',
  'tal vez',
  'probablemente',
  'en principio',
  'supongo',
  'parece',
  'a lo mejor',
  'por ahora',
  'de momento',
  'credo',
  'penso',
  'forse',
  'probabilmente',
  'in linea di (?:massima|principio)',
  'in teoria',
  'sembra',
  'suppongo',
  'per ora',
  'per il momento',
  'acho',
  'acredito',
  'talvez',
  'provavelmente',
  '(?:em|a) princípio',
  'suponho',
  'por enquanto',
  'ik denk',
  'denk ik',
  'geloof ik',
  'misschien',
  'waarschijnlijk',
  'in principe',
  'lijkt',
  'voorlopig',
  'vermoedelijk',
  'volgens mij',
  'würde (?:ich )?sagen',
  'je dirais',
  'diría',
  'direi',
  'diria',
  'zou zeggen',
  'jag tror',
  'tror jag',
  'kanske',
  'förmodligen',
  'troligen',
  'antagligen',
  'i princip',
  'verkar',
  'nästan',
  'preliminärt',
  'för tillfället',
  'skulle säga',
]);

/** Praise that starts like a hedge ("I think it's perfect") is not one. */
export const POSITIVE_HEDGES = anyOf([
  "i think (?:it'?s|it is|this is|they'?re|they are|these are|that'?s|that is|you(?:'ve| have)) (?:\\w+ )?(?:great|perfect|brilliant|fantastic|excellent|lovely|wonderful|amazing|spot on|nailed it|really good|beautiful|gorgeous)",
  'almost (?:immediately|instantly)',
]);

/**
 * Conditions attached to an approval ("approved once the logo is bigger", "ok to go, pending legal").
 * Sentence scope, both before and after the approval phrase.
 */
export const CONDITION = anyOf([
  'once',
  'if',
  'unless',
  'provided',
  'providing',
  'as long as',
  'on condition',
  'pending',
  'subject to',
  'assuming',
  'except',
  'apart from',
  'other than',
  'but',
  'however',
  'though',
  'although',
  'otherwise',
  'besides',
  'only (?:if|once|when|after)',
  'after (?:you|legal|the|we|it|they|he|she|a|one|some)',
  'when (?:legal|compliance|the (?:\\w+ )?(?:is|are|has|have))',
  'with (?:one|two|three|a few|a couple of|some|a|the|these|those|minor|small|just one|only one)(?: small| minor| tiny| last| final| quick)? (?:change|changes|tweak|tweaks|edit|edits|fix|fixes|correction|corrections|amend|amends|amendment|amendments|exception|exceptions|adjustment|adjustments|caveat|caveats|condition|conditions|comment|comments|note|notes|remark|remarks)',
  'sobald',
  'wenn',
  'falls',
  'sofern',
  'vorausgesetzt',
  'vorbehaltlich',
  'unter vorbehalt',
  'außer',
  'bis auf',
  'aber',
  'allerdings',
  'jedoch',
  'nachdem',
  'ansonsten',
  'sonst',
  'mit (?:einer|zwei|drei|ein paar|kleinen|wenigen|der|den|folgender|folgenden)(?: kleinen)? (?:änderung|änderungen|anpassung|anpassungen|korrektur|korrekturen|ausnahme)',
  'unter (?:der|einer) (?:bedingung|voraussetzung)',
  "une fois (?:que|qu')",
  'si(?= +\\p{L})',
  "s'il",
  'sauf',
  'à condition',
  'sous réserve',
  'mais',
  'cependant',
  'toutefois',
  'pourvu',
  'hormis',
  'à part',
  'sinon',
  'après (?:correction|modification|validation|les corrections|la correction)',
  'avec (?:une|deux|trois|quelques)(?: petite| petites)? (?:modif|modifs|modification|modifications|correction|corrections|réserve|réserves|changement|changements|remarque|remarques)',
  'una vez',
  'siempre (?:que|y cuando)',
  'con tal de',
  'a condición',
  'a falta de',
  'pendiente',
  'salvo',
  'excepto',
  'pero',
  'sin embargo',
  'aunque',
  'por lo demás',
  'aparte de eso',
  'con (?:un|una|dos|tres|algunos|algunas|unos|unas|un par de)(?: pequeño| pequeña| pequeños| pequeñas)? (?:cambios?|ajustes?|correcci(?:ón|ones)|excepci(?:ón|ones)|detalles?)',
  'una volta',
  'se (?:cambiate|correggete|sistemate|aggiustate|modificate|il|la|lo|le|i|gli|potete|riuscite)',
  'purché',
  'a patto che',
  'a condizione',
  'tranne',
  'eccetto',
  'ma',
  'però',
  'tuttavia',
  'per il resto',
  'a parte questo',
  'con (?:una|due|tre|qualche|alcune)(?: piccola| piccole)? (?:modific[ah]e?|correzion[ei]|eccezion[ei])',
  'assim que',
  'se (?:vocês|você|puderem|corrigirem|mudarem|trocarem|o|a|os|as)',
  'desde que',
  'contanto que',
  'com a condição',
  'sob condição',
  'sujeito a',
  'pendente',
  'mas',
  'porém',
  'contudo',
  'no entanto',
  'fora isso',
  'de resto',
  'com (?:uma|duas|três|algumas)(?: pequena| pequenas)? (?:alteraç(?:ão|ões)|correç(?:ão|ões)|mudanças?|ajustes?|ressalvas?)',
  'zodra',
  'als',
  'mits',
  'tenzij',
  'onder voorbehoud',
  'behalve',
  'maar',
  'echter',
  'verder',
  'voor de rest',
  'nadat',
  'met (?:één|een|twee|drie|enkele|paar|kleine)(?: kleine)? (?:aanpassing(?:en)?|wijziging(?:en)?|correctie(?:s)?|opmerking(?:en)?)',
  // Swedish "om" is also "about": only as "if" before a subject.
  'om (?:ni|du|vi|det|den|de|man|bara)',
  'om(?= \\p{L}+ (?:säger|godkänner|har|är|kan|vill|tycker|ger|gör|byter|ändrar|fixar|rättar|hinner)(?![\\p{L}]))',
  'så länge',
  'förutsatt',
  'under förutsättning',
  'så fort',
  'när',
  'förutom',
  'utom',
  'men (?:ni|du|vi|jag|det|den|de|kan|behöver|bara|priset|texten|bilden|loggan|byt|ändra)',
  'dock',
  'annars',
  'i övrigt',
  'med (?:en|ett|två|några|ett par)(?: liten| litet| små| mindre)? (?:ändring|ändringar|justering|justeringar|korrigering|korrigeringar|undantag)',
]);

/** Conditions that are really courtesy ("let me know if you need anything") are blanked first. */
export const NEUTRAL_CONDITIONS = anyOf([
  '(?:let (?:me|us) know|shout|tell (?:me|us)|give (?:me|us) a (?:call|shout)|call me|ping me) if',
  "if (?:you (?:need|have|want)|there(?:'s| is) anything|anything|possible|needed|that helps)",
  'in case',
  'but thanks',
  'thanks again',
  'wenn (?:ihr|sie|du) (?:noch )?(?:etwas|was|fragen)',
  'falls (?:ihr|sie|du) (?:noch )?(?:etwas|was|fragen)',
  'si (?:vous avez|besoin)',
  'si (?:necesitáis|necesitas|necesita)',
  'se (?:avete|hai) bisogno',
  'se (?:precisarem|precisar)',
  'als (?:je|jullie|u) (?:nog )?(?:vragen|iets)',
  '(?:hör av (?:er|dig)|säg till|meddela|ge besked) (?:om|när)',
  'om (?:ni|du) (?:har|behöver) (?:frågor|något|nåt)',
  'mais oui',
  'aber gerne',
  'ma certo',
]);

/** Deferral anywhere in the message: someone else still has to look, so an approval stays conditional. */
export const DEFERRAL = anyOf([
  'let me (?:just )?(?:check|confirm|run it by|double-check)',
  'check(?:ing)? with',
  'run (?:it|this|them) (?:by|past)',
  '(?:wait|waiting) (?:for|on|until)',
  '(?:needs?|has|have|still has|still needs?) to (?:check|confirm|sign off|approve|see|review|look|agree)',
  'get back to you',
  'before (?:i|we) (?:approve|sign off|confirm)',
  'pending',
  'subject to',
  'muss (?:noch|erst)',
  'müssen (?:noch|erst)',
  'rücksprache',
  'warte(?:n)? (?:noch )?auf',
  'vorbehaltlich',
  'sous réserve',
  'je dois (?:vérifier|valider|consulter|voir)',
  'en attente',
  'a falta de',
  'pendiente',
  'tengo que (?:consultar|confirmar|revisar)',
  'in attesa',
  'devo (?:sentire|verificare|confermare)',
  'pendente',
  'preciso (?:confirmar|verificar|consultar)',
  'aguardar',
  'onder voorbehoud',
  'moet (?:nog|eerst)',
  'wachten op',
  "(?:aspetto|aspettiamo|attendo|attendiamo) (?:solo |ancora |soltanto )?(?:la|il|lo|l'|che|conferma)",
  "j'attends",
  'nous attendons',
  '(?:espero|esperamos) (?:la|el|a que|confirmación)',
  '(?:aguardo|aguardamos) (?:a|o|que|confirmação)',
  'väntar (?:på|fortfarande)',
  'måste (?:först |bara )?(?:kolla|stämma av|dubbelkolla|fråga)',
  'stämma av med',
]);

/** Meetings and clock times: an agreement next to one of these is about a slot, not about work. */
export const MEETINGS = anyOf([
  'meetings?',
  'calls?(?!-)',
  'appointment',
  'slot',
  'dial-in',
  'zoom',
  'reschedul\\w*',
  'calendar',
  'invite',
  "o'clock",
  '\\d{1,2}(?:[:.]\\d{2})? ?(?:am|pm|uhr|h)',
  '\\d{1,2}:\\d{2}',
  'termin\\w*',
  'besprechung',
  'treffen',
  'réunion',
  'rendez-vous',
  'rdv',
  'reunión',
  'cita',
  'llamada',
  'riunione',
  'appuntamento',
  'chiamata',
  'reunião',
  'ligação',
  'afspraak',
  'vergadering',
  'overleg',
  'möte(?:t|n)?',
  'samtal(?:et)?',
]);

/** Days and relative dates: weak agreement words next to these answer a date proposal. */
export const DATES = anyOf([
  'monday|tuesday|wednesday|thursday|friday|saturday|sunday',
  'tomorrow|today|tonight|next week',
  'montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag',
  'morgen|heute|übermorgen',
  'lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche',
  'demain',
  'lunes|martes|miércoles|jueves|viernes|sábado|domingo',
  'mañana',
  'lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica',
  'domani',
  'segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira',
  'amanhã',
  'maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag',
  'måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag',
  'imorgon|i morgon|idag|i dag',
  '\\d{1,2}[./]\\d{1,2}\\.?',
]);

/** Approving something that is not the work under review ("I approved the invoice"). */
export const OTHER_OBJECT = anyOf([
  'invoices?',
  'quotes?',
  'quotations?',
  'estimates?',
  'budgets?',
  'po',
  'purchase orders?',
  'payments?',
  'expenses?',
  'timesheets?',
  'contracts?',
  'sow',
  'statement of work',
  'overtime',
  'holidays?',
  'vacation',
  'leave',
  'time off',
  'travel',
  'reimbursements?',
  'bills?',
  'fees?',
  'rechnung(?:en)?',
  'angebot\\w*',
  'kostenvoranschlag',
  'urlaub\\w*',
  'vertrag',
  'bestellung',
  'factures?',
  'devis',
  'congés?',
  'contrats?',
  'bon de commande',
  'facturas?',
  'presupuestos?',
  'contratos?',
  'vacaciones',
  'fatture?',
  'fattura',
  'preventiv[oi]',
  'contratt[oi]',
  'ferie',
  'faturas?',
  'orçamentos?',
  'férias',
  'factuur',
  'facturen',
  'offerte',
  'vakantie',
  'bestelling',
  'faktura(?:n)?',
  'offert(?:en)?',
  'semester',
]);

/**
 * Past or future events reported by the sender, in the languages other than English (English has a
 * finer subject/auxiliary check) and for English phrases that are not verbs. Clause scope, the
 * approval phrase itself excluded.
 */
export const REPORTED_OR_FUTURE = anyOf([
  'yesterday',
  'last (?:week|month|time|year|round|friday|monday|tuesday|wednesday|thursday)',
  'earlier',
  'previously',
  'already',
  'ago',
  'next (?:week|month|time)',
  'later',
  'eventually',
  'in the (?:meeting|call)',
  '(?:he|she|they) (?:said|says|thinks?|told)',
  'said',
  'says',
  'told',
  'according to',
  'will',
  "\\p{L}+'ll",
  'would',
  "\\p{L}+'d",
  'wird',
  'werden',
  'würde',
  'würden',
  'soll',
  'sollte',
  'sollen',
  'muss',
  'müssen',
  'könnte',
  'wurde',
  'wurden',
  'werd',
  'gestern',
  'bereits',
  'schon',
  'letzte woche',
  'nächste woche',
  'später',
  'demnächst',
  'va',
  'vont',
  'allons',
  'vais',
  'validera',
  'validerons',
  'doit',
  'doivent',
  'devrait',
  'pourrait',
  'hier',
  'déjà',
  'plus tard',
  'la semaine (?:dernière|prochaine)',
  'vamos a',
  'van a',
  'voy a',
  'aprobará',
  'aprobarán',
  'debe',
  'debería',
  'podría',
  'aprobó',
  'ayer',
  'ya',
  'la semana (?:pasada|que viene)',
  'más tarde',
  'approverà',
  'approveranno',
  'dovrebbe',
  'ieri',
  'già',
  'aprovou',
  'aprovaram',
  'vai aprovar',
  'vou aprovar',
  'vão aprovar',
  'ontem',
  'já',
  'zal',
  'zullen',
  'gaat',
  'gisteren',
  'vorige week',
  'volgende week',
  'straks',
  // "Tomorrow" turns a present tense into a promise: "diamo l'ok domani", "damos o ok amanhã".
  'demain',
  'mañana',
  'domani',
  'amanhã',
  'morgen',
  'imorgon',
  'i morgon',
  'igår',
  'i går',
  'redan',
  'tidigare',
  'kommer att',
  'ska',
  'skall',
  'senare',
  'förra veckan',
  'nästa vecka',
  'enligt',
]);

/** German and Dutch perfect auxiliaries (anywhere in the clause): someone has approved. */
export const PERFECT_AUX = anyOf([
  'hat',
  'hatte',
  'hatten',
  'haben',
  'heeft',
  'hebben',
  'had',
  'har',
  'hade',
]);

/** The sender as subject of that perfect ("ich habe freigegeben", "wij hebben goedgekeurd"). */
export const FIRST_PERSON_PERFECT = anyOf([
  'ich habe',
  'habe ich',
  'wir haben',
  'haben wir',
  'ik heb',
  'heb ik',
  'wij hebben',
  'we hebben',
  'hebben we',
  'hebben wij',
  'jag har',
  'har jag',
  'vi har',
  'har vi',
]);

/**
 * Romance perfect and past-passive auxiliaries directly before the participle ("Marie a validé",
 * "il direttore ha approvato", "foi aprovado"): someone else, or earlier. "on a validé" is the sender.
 */
export const ROMANCE_AUX_BEFORE =
  /(?:^|[^\p{L}])(?:a|ont|avait|avaient|été|ha|han|había|habían|fue|fueron|hanno|aveva|avevano|stato|stata|stati|state|foi|foram|tinha|tem sido)\s+(?:\p{L}+\s+)?$/iu;
export const ROMANCE_FIRST_PERSON_BEFORE =
  /(?:^|[^\p{L}])(?:on a|j'ai|nous avons|he|hemos|ho|abbiamo)\s+(?:\p{L}+\s+)?$/iu;

// --- The other intents -----------------------------------------------------------------------------

export const REJECTION = anyOf([
  'reject(?:ed|ing)?',
  'declined?',
  'disapprov(?:e|ed)',
  "(?:this is |that's |it's )?not what (?:we|i) (?:want|wanted|asked for|had in mind|are looking for|were looking for|need)",
  // The whole direction is wrong, not a detail: "this isn't the direction we want".
  "(?:is ?n't|is not|not) the (?:right )?(?:direction|approach|concept)",
  '(?:a )?(?:completely|totally|entirely) (?:different|new) (?:direction|approach|concept|idea)',
  'rethink (?:the whole|everything)',
  'start (?:over|again|from scratch)',
  'back to the drawing board',
  "(?:we'?ll|we will|we are going to|we'?re going to|i'?ll|we have to|we'?d like to|we would like to|we must) pass on (?:this|that|the|it|these|those)",
  'not (?:going|moving) (?:forward|ahead) with',
  "won't be (?:using|going ahead|moving forward|proceeding)",
  'scrap (?:this|it|that|the whole)',
  'completely (?:wrong|off)',
  'miss(?:es|ed)? the mark',
  'no[- ]go',
  'hard no',
  'abgelehnt',
  'lehnen (?:\\p{L}+ )?ab',
  'nicht (?:das|was) wir',
  'von vorne',
  'neu anfangen',
  'komplett neu',
  'geht gar nicht',
  'verwerfen',
  '(?:komplett|völlig|ganz) (?:neue[nrs]? )?(?:idee|konzept|ansatz|richtung)',
  'refus(?:é|ée|és|ées)',
  'rejet(?:é|ée|és|ées)',
  'on refuse',
  "(?:ce n'est|c'est) pas (?:du tout )?ce que",
  'on recommence',
  'à refaire',
  'repartir de zéro',
  '(?:complètement|totalement|tout à fait) (?:différente?|autre)',
  'on ne retient pas',
  'rechazad(?:o|a|os|as)',
  'rechazamos',
  'no es lo que',
  'empezar de (?:nuevo|cero)',
  'desde cero',
  'descartad(?:o|a)',
  'descartamos',
  '(?:idea|propuesta|enfoque) (?:totalmente|completamente) (?:diferente|distint[oa]|nuev[oa])',
  'rifiutat(?:o|a|i|e)',
  'respint(?:o|a|i|e)',
  'bocciat(?:o|a|i|e)',
  'non è quello che',
  'ricominciare',
  'da rifare',
  'da capo',
  'scartiamo',
  '(?:idea|proposta) (?:totalmente|completamente) (?:divers[ao]|nuov[ao])',
  'rejeitad(?:o|a)',
  'recusad(?:o|a)',
  'reprovad(?:o|a)',
  'não é o que',
  'começar de novo',
  'do zero',
  '(?:ideia|proposta|abordagem) (?:totalmente|completamente) (?:diferente|nova)',
  'afgekeurd',
  'niet wat we',
  'opnieuw beginnen',
  'helemaal opnieuw',
  'we zien ervan af',
  // Separable "afkeuren": "dit ontwerp keuren we af".
  'keur(?:en)? (?:\\p{L}+ ){0,3}af',
  '(?:heel|helemaal|compleet) (?:nieuw|ander) (?:voorstel|ontwerp|concept|idee)',
  'avslå(?:r|s)?',
  'avslag(?:et)?',
  'underkän(?:d|t|da|ner)',
  'inte (?:det|vad) vi',
  'börja om',
  'tänk(?:a|er) om',
  'helt (?:nytt|ny|nya) (?:förslag|koncept|idé|riktning)',
]);

/** Change requests on the deliverable. */
export const FEEDBACK = anyOf([
  "(?:please|pls|kindly|can you|could you|would you|can we|could we|would it be possible to|i'?d like (?:you )?to|we'?d like (?:you )?to|we need (?:you )?to|need to|let'?s|maybe|just) (?:\\p{L}+ )?(?:change|swap|replace|move|fix|adjust|tweak|make|increase|decrease|reduce|enlarge|remove|delete|drop|add|use|correct|update|align|shorten|lengthen|crop|resize|darken|lighten|brighten|tone down|bump|shift|switch|rework|rewrite|rephrase|reword|revise|edit|amend|try|cent(?:er|re)|re-?cent(?:er|re)|reposition|re-?crop|realign|straighten|sharpen|soften|nudge|raise|lower|widen|narrow|enlarge|shrink|scale|trim|extend|stretch|recolou?r|redo|bold|flip|rotate|tighten|simplify|put|take out|get rid of|show|see)",
  `${atSentenceStart('change|swap|replace|move|fix|adjust|tweak|make|increase|decrease|reduce|enlarge|remove|delete|drop|add|use|correct|update|align|shorten|crop|resize|darken|lighten|brighten|tone down|bump|shift|switch|rework|rewrite|rephrase|reword|take out|get rid of|recent(?:er|re)|reposition|crop|trim|raise|lower|redo')} (?:the|this|that|our|it|these|those|a|an|all|both|some|"\\p{L})`,
  'typos?',
  'spelling',
  'misspel\\w*',
  'spelt wrong',
  'wrong (?:date|phone|number|name|colou?r|logo|price|address|url|link|font|image|photo|year|time)',
  'is missing',
  'are missing',
  'missing (?:the|a|an|its|their|our)',
  'should (?:read|say)',
  // Defects named without a verb: "the hero image is cropped oddly", "the photo is pixelated".
  'cropped (?:oddly|badly|weirdly|awkwardly|wrong(?:ly)?|too)',
  '(?:is|are|gets?|getting|looks?|been) cut off',
  'overlaps?',
  'pixelated|blurry|low[- ]res',
  'hard to (?:read|see)',
  'illegible|unreadable',
  'misaligned|off[- ]cent(?:er|re)',
  '(?:is|are|looks?) (?:wrong|incorrect|outdated|out of date)',
  // "Tom still wants to see the badge in navy".
  "(?:want|wants|wanted|would like|'d like|prefer|prefers) to see (?:(?:the|a|an|it|this|that|them|these|those)(?: [\\p{L}-]+){0,3} (?:in|with|without|bigger|smaller|larger|bolder|darker|lighter|moved|on the|at the)|more|less|some)",
  // A change list: "Two legal edits before this can go anywhere:", "a few tweaks needed".
  '(?:a few|a couple of|couple of|some|two|three|four|several|minor|small|few|last|final|one|more)(?: more| small| minor| last| final| quick| legal| little)? (?:changes|edits|tweaks|amends|amendments|corrections|fixes|revisions|adjustments|comments|notes|things)(?: [\\p{L}]+){0,5} ?:',
  '(?:changes|edits|tweaks|amends|corrections|fixes|adjustments) (?:needed|required|requested|to make)',
  // "Approved! One tiny thing: fix the comma": the small thing is a change.
  '(?:just |only )?(?:one|a) (?:small |little |tiny |minor |quick |last |final )?(?:thing|detail|point|nit|change|tweak|correction|fix)(?: though)? ?:',
  '(?:just|only) (?:one|a) (?:small |little |tiny |minor |quick |last |final )?(?:thing|detail|nit|change|tweak|correction|fix)',
  // A correction of a number: "son 189 €, no 198 €", "59 euro, niet 49".
  `${preceded(', ', 'not|no|nicht|pas|niet|inte|non|não|ej')} (?:€|\\$|£)? ?\\d[\\d.,]*`,
  '(?:is|are) (?:the )?(?:old|outdated|previous) (?:one|version|price|prices|list|logo|copy)',
  'instead of',
  'rather than',
  'too (?:big|small|large|dark|light|bright|busy|long|short|bold|thin|much|loud|cluttered|tight|close|far|low|high|wide|narrow|pale|faint|crowded|heavy)',
  // A bare comparative is too common in prose ("a smaller first run"); a qualified one is a change.
  '(?:a (?:bit|little|touch|tad) |slightly |much |a lot )(?:bigger|smaller|larger|bolder|darker|lighter|brighter|shorter|longer|wider|narrower|higher|lower)',
  'feels? (?:off|wrong|too)',
  "(?:does(?:n't| not)|do(?:n't| not)) (?:work|fit|read well|look right|feel right)",
  'not quite (?:right|there)',
  "(?:i'?d|we'?d|i would|we would) prefer",
  "(?:i|we) (?:don't|do not) like",
  '(?:needs?|has|have) to be (?:bigger|smaller|larger|bolder|darker|lighter|brighter|shorter|longer|wider|narrower|higher|lower|moved|changed|removed|replaced|updated|corrected|fixed|swapped|adjusted|deleted|added|centred|centered|aligned)',
  'bitte (?:\\p{L}+ ){0,4}(?:ändern|anpassen|austauschen|tauschen|größer|kleiner|entfernen|löschen|korrigieren|ersetzen|verschieben|hinzufügen|ergänzen|heller|dunkler|zurücknehmen|streichen|setzen|stellen|rücken|rausnehmen|herausnehmen|wieder raus|weg|nach (?:oben|unten|links|rechts|vorne|hinten)|höher|tiefer|breiter|schmaler|kräftiger|fetter|dünner|dezenter|ruhiger|mittig|zentrieren|überarbeiten)',
  // "bitte noch ein QR-Code": something to add.
  'bitte (?:noch|auch) (?:ein|eine|einen)',
  '(?:muss|müssen|sollte|sollten|soll) (?:\\p{L}+ ){0,3}(?:größer|kleiner|heller|dunkler|kräftiger|dezenter|höher|tiefer|breiter|schmaler|kürzer|länger|raus|weg|geändert|angepasst|korrigiert|ersetzt|entfernt|gelöscht|ergänzt|verschoben|getauscht|ausgetauscht)',
  'stimm(?:t|en) (?:\\p{L}+ ){0,3}nicht',
  '(?:ist|sind) falsch',
  'richtig (?:ist|wäre|lautet)',
  'fehl(?:t|en)(?! (?:(?:noch|nur) )?(?:die|eure|ihre|unsere|deine) (?:freigabe|zustimmung|ok))',
  'kleinigkeit',
  '(?:ein paar|einige|zwei|drei|wenige|kleine)(?: kleine| letzte)? (?:änderungen|anpassungen|korrekturen|anmerkungen|punkte|sachen|dinge)(?: [\\p{L}]+){0,4} ?:',
  'noch nicht ganz',
  'verpixelt|unscharf|abgeschnitten|veraltet',
  '(?:könnt ihr|können sie|kannst du|könntet ihr|könnten sie) (?:\\p{L}+ ){0,4}(?:ändern|anpassen|austauschen|tauschen|größer|kleiner|entfernen|korrigieren|ersetzen|verschieben|hinzufügen|ergänzen)',
  'tippfehler',
  'schreibfehler',
  'anstatt',
  'statt (?:des|der|dem|den|das|einer|eines|dessen)',
  'zu (?:groß|klein|dunkel|hell|unruhig|lang|kurz|blass|weit|hoch|tief|breit|schmal|eng|voll|bunt|dünn|dick|kräftig)',
  "(?:pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|merci de|il faudrait|est-ce que vous pouvez) (?:\\p{L}+ |[lmn]'){0,2}(?:changer|modifier|remplacer|agrandir|réduire|corriger|supprimer|ajouter|déplacer|mettre|retirer|remonter|descendre|décaler|baisser|monter|raccourcir|allonger|recadrer|centrer|grossir|éclaircir|foncer|assombrir|revoir|retravailler|enlever|intégrer|rajouter|inverser|aligner|essayer)",
  '(?:changez|modifiez|remplacez|corrigez|supprimez|ajoutez|retirez|enlevez|déplacez|agrandissez|réduisez|remontez|décalez|recadrez)',
  'il manquen?t?',
  "(?:n'est|ne sont) pas (?:bon|bonne|bons|bonnes|correct|correcte|juste)s?",
  '(?:est|sont) (?:faux|fausses?|erroné(?:e|s|es)?)',
  'pixelisée?s?|illisibles?',
  '(?:juste|seulement|simplement) (?:un|une) (?:petit |petite |dernier |dernière )?(?:détail|chose|point|modif|modification|correction|remarque)',
  'un (?:petit )?détail',
  '(?:quelques|deux|trois|petites)(?: petites| dernières)? (?:modifications|modifs|corrections|remarques|points|choses)(?: [\\p{L}]+){0,4} ?:',
  'pas tout à fait',
  'plus (?:grand|petit|gros|foncé|clair|lisible)e?s?',
  'faute de frappe',
  'coquille',
  'au lieu de',
  'trop (?:grand|petit|sombre|clair|chargé|long)e?s?',
  '(?:podéis|podeis|puedes|podrías|podríais|por favor) (?:\\p{L}+ ){0,2}(?:cambiar|cambiad|modificar|reemplazar|agrandar|reducir|corregir|quitar|eliminar|añadir|mover|poner|subir|bajar|ajustar|probar|revisar|centrar|acortar|ampliar|oscurecer|aclarar)',
  // Vosotros imperatives are always instructions: "Añadidlo por favor", "cambiad la tarifa".
  '(?:cambiad|añadid|quitad|poned|corregid|sustituid|reemplazad|subid|bajad|agrandad|reducid|eliminad|ajustad|acortad)(?:lo|la|los|las|le|les)?',
  'hay que (?:cambiar|corregir|quitar|añadir|poner|modificar|ajustar|revisar|mover|sustituir)',
  // Something missing, but not a person's sign-off ("falta que lo vea el director").
  '(?:falta|faltan)(?! (?:que|el visto|la aprobación|la firma))',
  `${preceded('no ', 'está|es|son|están', true)} (?:incorrect[oa]s?|equivocad[oa]s?|mal)`,
  'pixelad[oa]s?|borros[oa]s?',
  '(?:solo|sólo|solamente) (?:un|una) (?:pequeño |pequeña |último |última )?(?:detalle|cosa|cambio|punto|corrección|ajuste)',
  'un (?:pequeño )?detalle',
  '(?:un par de|algunos|algunas|dos|tres|pequeños|pequeñas)(?: pequeños| pequeñas| últimos| últimas)? (?:cambios|correcciones|ajustes|comentarios|cosas|detalles)(?: [\\p{L}]+){0,4} ?:',
  'más (?:grande|pequeño|pequeña|oscuro|claro)s?',
  'errata',
  'en lugar de',
  'demasiado',
  '(?:potete|puoi|potreste|per favore|vi chiedo di) (?:\\p{L}+ ){0,2}(?:cambiare|modificare|sostituire|ingrandire|ridurre|correggere|togliere|eliminare|aggiungere|spostare|mettere|sistemare|provare|aggiornare|accorciare|allungare|scurire|schiarire|centrare|rivedere)',
  // Voi imperatives double as participles mid-sentence ("le foto cambiate"), so only at a sentence start.
  atSentenceStart(
    'cambiate|correggete|togliete|aggiungete|spostate|sostituite|modificate|mettete|ingrandite|riducete|sistemate',
  ),
  'manca(?:no)?(?! (?:la (?:vostra )?approvazione|il via libera))',
  '(?:è|sono) sbagliat[oaie]',
  'non (?:è|sono) corrett[oaie]',
  '(?:è|sono) quell[oi] vecch[io]',
  '(?:mandate|mandatemi|mandateci|inviate|inviatemi|inviateci) (?:\\p{L}+ ){0,2}(?:aggiornat[oaie]|corrett[oaie]|giust[oaie])',
  'sgranat[aoie]|sfocat[aoie]|illeggibile',
  '(?:solo|soltanto|solamente) (?:un|una) (?:piccolo |piccola |ultimo |ultima )?(?:dettaglio|cosa|modifica|punto|correzione)',
  'un (?:piccolo )?dettaglio',
  '(?:bisogna|occorre|va|vanno) (?:cambiat[oaie]|corrett[oaie]|tolt[oaie]|aggiunt[oaie]|spostat[oaie]|modificat[oaie]|sostituit[oaie])',
  '(?:alcune|qualche|due|tre|piccole)(?: piccole| ultime)? (?:modifiche|correzioni|cose|osservazioni|note)(?: [\\p{L}]+){0,4} ?:',
  'più (?:grande|piccolo|piccola|scuro|chiaro)',
  'refuso',
  'invece di',
  'troppo',
  '(?:podem|pode|poderiam|por favor) (?:\\p{L}+ ){0,2}(?:mudar|alterar|trocar|substituir|aumentar|diminuir|corrigir|remover|tirar|adicionar|mover|colocar|experimentar|testar|tentar|ajustar|escurecer|clarear|rever|reduzir|ampliar|centralizar|encurtar)',
  '(?:troquem|mudem|corrijam|tirem|coloquem|acrescentem|adicionem|removam|ajustem|substituam|aumentem|diminuam)',
  '(?:só|apenas) falta',
  '(?:falta|faltam)(?! (?:que|a aprovação|o aval))',
  'deve (?:ficar|ser|estar) (?:em|maior|menor|mais|no|na|à|ao)',
  '(?:está|estão) (?:errad[oa]s?|incorret[oa]s?)',
  'não (?:está|estão) corret[oa]s?',
  'desatualizad[oa]s?|pixelizad[oa]s?|desfocad[oa]s?',
  '(?:só|apenas|somente) (?:um|uma) (?:pequeno |pequena |último |última )?(?:detalhe|coisa|ponto|ajuste|alteração|correção)',
  'um (?:pequeno )?detalhe',
  '(?:algumas|alguns|duas|dois|três|pequenas|pequenos)(?: pequenas| pequenos| últimas| últimos)? (?:alterações|correções|ajustes|mudanças|coisas|comentários)(?: [\\p{L}]+){0,4} ?:',
  '(?:um pouco|bem|muito) (?:maior|menor)',
  'erro de digitação',
  'em vez de',
  '(?:kunnen jullie|kun je|kunt u|graag|wil je|willen jullie) (?:\\p{L}+ ){0,4}(?:aanpassen|veranderen|wijzigen|vervangen|groter|kleiner|corrigeren|verwijderen|toevoegen|verplaatsen)',
  'moet(?:en)? (?:\\p{L}+ ){0,3}(?:groter|kleiner|donkerder|lichter|hoger|lager|breder|smaller|korter|langer|weg|eruit|anders|aangepast|veranderd|gewijzigd|vervangen|verwijderd|toegevoegd|verplaatst|gecorrigeerd)',
  'ontbre(?:ekt|ken)(?! (?:nog )?(?:de|jullie|uw) (?:goedkeuring|akkoord))',
  'klopt niet|kloppen niet',
  '(?:is|zijn) (?:fout|verkeerd|onjuist|verouderd)',
  'gepixeld|onscherp|afgesneden|onleesbaar',
  '(?:alleen|nog) (?:één|een) (?:klein |kleine |laatste )?(?:dingetje|ding|detail|puntje|punt|aanpassing|wijziging)',
  '(?:een paar|enkele|twee|drie|kleine)(?: kleine| laatste)? (?:aanpassingen|wijzigingen|correcties|opmerkingen|dingen|dingetjes|punten|puntjes)(?: [\\p{L}]+){0,4} ?:',
  'nog niet helemaal',
  'tikfout',
  'typfout',
  'in plaats van',
  'te (?:groot|klein|donker|licht|druk)',
  // Swedish.
  `${atSentenceStart('byt|ändra|flytta|ta bort|lägg (?:till|in)|korta|förkorta|öka|minska|justera|rätta|ersätt|stryk|förstora|förminska')}(?= )`,
  'kan (?:ni|du) (?:\\p{L}+ ){0,3}(?:ändra|byta|flytta|ta bort|lägga till|korta|justera|rätta|ersätta|förstora|förminska|minska|öka)',
  '(?:göra|gör) (?:\\p{L}+ ){0,3}(?:större|mindre|mörkare|ljusare|tydligare|kortare|längre|högre|lägre|bredare|smalare|fetare)',
  'för (?:lång|långt|långa|kort|korta|stor|stort|stora|liten|litet|mörk|mörkt|mörka|ljus|ljust|ljusa|svag|tunn|tjock|rörig|rörigt|plottrig|plottrigt|glättig|glättigt)',
  'i ?stället för',
  'stavfel|felstavat|felstavad',
  'saknas',
  '(?:är|blev) fel',
  'stämmer inte',
  '(?:bara|endast) (?:en|ett) (?:liten |litet |sista )?(?:sak|detalj|grej|ändring|justering)',
  'en (?:liten )?detalj',
  '(?:några|ett par|två|tre|små)(?: små| sista)? (?:ändringar|justeringar|korrigeringar|synpunkter|saker|grejer|punkter)(?: [\\p{L}]+){0,4} ?:',
  'inte riktigt',
  // Any language: a list of changes introduced by a heading ("Änderungen:", "Feedback:").
  `${atSentenceStart('feedback|changes|edits|corrections|änderungen|anmerkungen|korrekturen|modifications|corrections|remarques|cambios|correcciones|modifiche|correzioni|alterações|correções|ajustes|wijzigingen|aanpassingen|opmerkingen|ändringar|justeringar|synpunkter')} *:`,
  // "Two things:" in any language: a short list follows.
  '(?:two|three|a few|a couple of|zwei|drei|ein paar|deux|trois|dos|tres|due|tre|duas|dois|twee|drie|två|tre)(?: small| kleine| petites| pequeñas| piccole| pequenas| kleine| små)? (?:things|sachen|dinge|punkte|choses|points|cosas|puntos|cose|punti|coisas|pontos|dingen|punten|saker|grejer|punkter) ?:',
]);

/** New work: a verb of making plus an indefinite or new deliverable, or a stated need. */
const WORK_NOUNS =
  '(?:banners?|flyers?|posters?|cards?|newsletters?|brochures?|leaflets?|ads?|adverts?|videos?|reels?|stor(?:y|ies)|posts?|templates?|graphics?|visuals?|logos?|decks?|presentations?|landing pages?|pages?|emails?|mailers?|campaigns?|illustrations?|icons?|infographics?|labels?|packaging|signage|covers?|headers?|mock-?ups?|certificates?|invitations?|menus?|catalogues?|catalogs?|set)';

export const REQUEST = anyOf([
  // "would like", not "like": "it reads like a catalogue" asks for nothing.
  `(?:need|needs|want|wants|would like|'d like|require|looking for) (?:a|an|some|new|another|\\d+|two|three|four|five|six|a few|a couple of|a set of|a series of) (?:[\\p{L}\\d-]+ ){0,3}${WORK_NOUNS}`,
  "(?:we|i)(?: need|'d need| would need| would like|'d like| want| require)(?: to have| to get)? (?:a|an|some|new|another|\\d+|two|three|four|five|six|a few|a couple of|a set of|a series of)(?= (?!(?:version|variant|option|alternative|revision|change|tweak|few changes)s?\\b))",
  "(?:we|i)(?:'d| would) like (?:you|your team|[\\p{L}-]+) to (?:design|create|make|produce|prepare|put together|do|draft|write|build|mock up|develop|shoot|film)",
  '(?:can|could|would) (?:you|your team|you guys|you all) (?:please |also )?(?:(?:create|design|make|produce|prepare|put together|do|draft|write|build|mock up|whip up|come up with|develop|shoot|film) (?:us |me )?)(?:a|an|some|new|another|\\d+|two|three|four|five|six|a few|a couple of|a set of|a series of)(?= (?!(?:version|variant|option|alternative|revision)s?\\b))',
  'new (?:request|brief|project|job)',
  'brief (?:attached|below)',
  "here'?s the brief",
  'please (?:create|design|produce|prepare|put together|quote for)',
  "i(?:'d| would) like to request",
  'wir (?:brauchen|benötigen|hätten gern(?:e)?|würden gern(?:e)?) (?:\\p{L}+ ){0,3}(?:ein|eine|einen|neue|neuen|\\d+)',
  "nous (?:avons|aurions) besoin (?:d'un|d'une|de nouveaux|de nouvelles|de \\d+)",
  'nous (?:aimerions|voudrions|souhaitons|souhaiterions) (?:faire |refaire |créer |lancer )?(?:un|une|des|nos|notre|de nouveaux|de nouvelles)',
  'un devis',
  'necesitamos (?:un|una|unos|unas|nuev[oa]s?|\\d+)',
  'necesitamos (?:banners?|folletos?|carteles|cartel|anuncios?|vídeos?|videos?|fotos|logos?|newsletters?|flyers?|posts?|publicaciones|piezas|materiales|creatividades|plantillas)',
  '(?:un|una) presupuesto',
  'abbiamo bisogno di (?:un|una|uno|nuov[oaie]|\\d+)',
  'ci (?:serve|servono|servirebbe|servirebbero) (?:un|una|uno|nuov[oaie]|\\d+|due|tre|quattro|cinque|alcuni|alcune|dei|delle|degli)',
  'avremmo bisogno di (?:un|una|uno|nuov[oaie]|\\d+)',
  'un preventivo',
  'precisamos de (?:um|uma|nov[oa]s?|\\d+)',
  'um orçamento',
  'we hebben (?:een|nieuwe|\\d+) (?:\\p{L}+ ){0,4}nodig',
  'een offerte',
  'vi behöver (?:en|ett|nya?|\\d+|några)',
  'en offert',
]);

/**
 * Creation verbs with any object ("könnt ihr die Anzeige machen", "pourriez-vous nous préparer la
 * newsletter"): a request, unless the same sentence also asks for a change ("het logo groter maken"),
 * which then decides. The strict table above (new, counted things) wins such a tie instead.
 */
export const REQUEST_ANY_OBJECT = anyOf([
  '(?:can|could|would) (?:you|your team|you guys) (?:please |also )?(?:quote|scope|price up|put together|mock up|come up with|help (?:us|me) with)',
  '(?:könnt ihr|können sie|kannst du|könntet ihr|könnten sie) (?:[\\p{L}\\p{N}.-]+ ){0,8}(?:erstellen|gestalten|machen|entwerfen|designen|produzieren|vorbereiten|texten|übernehmen)',
  '(?:könnt ihr|können sie|kannst du|könntet ihr|könnten sie) uns (?:dabei |damit )?helfen',
  '(?:pourriez-vous|pouvez-vous|pourrais-tu|peux-tu) (?:nous |me )?(?:créer|concevoir|préparer|faire|réaliser|rédiger|produire|imaginer|organiser|proposer|aider)',
  '(?:podéis|podeis|podrías|podríais|puedes|pueden|podrían) (?:\\p{L}+ )?(?:crear|diseñar|preparar|hacer|organizar|producir|redactar|grabar|montar|maquetar|ayudar)(?:nos|me)?',
  '(?:potete|potreste|puoi|riuscite a) (?:\\p{L}+ )?(?:prepara|crea|realizza|fa|progetta|organizza|aiuta)(?:re|rci|rmi|r)(?![\\p{L}])',
  '(?:podem|conseguem|poderiam) (?:\\p{L}+ )?(?:criar|preparar|fazer|desenvolver|produzir|ajudar)',
  '(?:kunnen jullie|kun je|kunt u) (?:[\\p{L}\\p{N}]+ ){0,6}(?:maken|ontwerpen|opzetten|verzorgen|schrijven|produceren)',
  '(?:kunnen jullie|kun je|kunt u) ons (?:hiermee |daarmee )?helpen',
  'kan (?:ni|du) (?:\\p{L}+ ){0,2}(?:ta fram|skapa|designa|göra|producera|ta hand om|hjälpa oss)',
]);

/** Only an opening subject: on a reply ("Re: Anfrage: ...") the request is history, not this message. */
export const SUBJECT_REQUEST =
  /^(?:(?:fw|fwd|wg|tr)\s*:\s*)*(?:new |neue )?(?:request|brief|briefing|anfrage|demande|solicitud|richiesta|pedido|aanvraag|förfrågan|beställning)\b/iu;

/**
 * A subject that answers or forwards nothing of ours: no reply prefix and no review tag. PRODUCT.md's
 * intake flow: a client starting a thread with "Can you do ...?" is asking for work.
 */
export const REPLY_SUBJECT =
  /^\s*(?:re|aw|sv|antw|r|rif|ris|res|odp|vs|ang)\s*(?:\[\d+\])?\s*:|\[[a-z0-9]+-\d+ v\d+\]/iu;

/** A question that asks the agency to do something ("can you", "könnt ihr", "pourriez-vous", "kan ni"). */
export const ASKS_AGENCY = anyOf([
  'can you',
  'could you',
  'would you',
  'any chance',
  '(?:könnt|könntet) ihr',
  '(?:können|könnten) sie',
  '(?:kannst|könntest) du',
  '(?:pouvez|pourriez)-vous',
  '(?:peux|pourrais)-tu',
  'est-ce que vous pouvez',
  '(?:podéis|podeis|podríais|puedes|podrías|pueden|podrían)',
  '(?:potete|potreste|puoi|riuscite|riusciresti)',
  '(?:podem|poderiam|conseguem|consegue|consegues)',
  '(?:kunnen|zouden) jullie',
  '(?:kun|kan|zou) je',
  '(?:kunt|zou) u',
  '(?:kan|skulle|hinner) (?:ni|du)',
]);

export const THANKS_OR_FYI = anyOf([
  'thanks?',
  'thank you',
  'cheers',
  'many thanks',
  'fyi',
  'for your information',
  'just so you (?:have|know)',
  'noted',
  'received',
  'got it',
  'will (?:review|look|check|get back|have a look)',
  "i'?ll (?:review|look|check|get back|have a look)",
  'have a (?:great|good|nice|lovely) (?:weekend|day|week|holiday)',
  'happy (?:holidays|thanksgiving|new year|christmas|easter)',
  'danke',
  'vielen dank',
  'merci',
  'gracias',
  'grazie',
  'obrigad[oa]',
  'bedankt',
  'dank je',
  'dank u',
  'zur info',
  'zur kenntnis',
  'pour info',
  'para (?:tu|su) información',
  'per conoscenza',
]);

export const OUT_OF_OFFICE = anyOf([
  'out of (?:the )?office',
  'on (?:annual |parental |sick )?leave',
  'away from (?:the office|my desk)',
  'limited access to (?:e-?mail|my e-?mail)',
  'nicht im büro',
  'außer haus',
  'abwesend',
  'absente? du bureau',
  'fuera de la oficina',
  'fuori (?:ufficio|sede)',
  'ausente do escritório',
  'niet op kantoor',
  'afwezig',
]);

export const BOUNCE_TEXT = anyOf([
  'delivery status notification',
  'delivery has failed',
  'undeliverable',
  'mail delivery (?:failed|subsystem)',
  'could not be delivered',
  'returned mail',
  'unzustellbar',
  'non remis',
]);

/**
 * A subordinate clause before the phrase makes it an event, not a decision: "let me know when it is
 * approved", "we print once it's good to go", "Bescheid geben, wenn es freigegeben ist".
 */
export const SUBORDINATE_HEAD = anyOf([
  'when',
  'whenever',
  'once',
  'after',
  'until',
  'till',
  'before',
  'whether',
  'as soon as',
  'if',
  'unless',
  'so that',
  'wenn',
  'sobald',
  'falls',
  'bevor',
  'nachdem',
  'ob',
  'quand',
  'lorsque',
  'dès que',
  'avant que',
  'si',
  'cuando',
  'en cuanto',
  'antes de que',
  'quando',
  'appena',
  'prima che',
  'assim que',
  'antes que',
  'wanneer',
  'zodra',
  'voordat',
  'indien',
]);

/** Words before an approval noun that ask for it rather than give it: "we need approval from our side". */
export const NOUN_HEAD_BLOCK =
  /(?:^|[^\p{L}])(?:for|need|needs|needed|require|requires|required|awaiting|await|waiting for|waiting on|pending|get|getting|got|without|seek|seeking|request|requesting|ask for|asking for|want|wants)\s+(?:\p{L}+\s+)?$/iu;

/** English interrogative openers for questions written without a question mark. */
export const ENGLISH_QUESTION_START =
  /^(?:is|are|can|could|should|would|will|do|does|did|has|have|who|what|when|where|why|how|may|shall)\b/i;
