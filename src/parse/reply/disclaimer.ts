/**
 * Legal disclaimers and confidentiality notices that mail servers and signature tools append below
 * the sender's text ("CONFIDENTIALITY NOTICE: …", "AVISO LEGAL: …", "Questo messaggio è riservato
 * …"). They are boilerplate, never the sender's decision: "This message has not been approved for
 * external distribution" must not read as an approval.
 *
 * A trailing paragraph is a disclaimer when it opens with a notice heading, or when it speaks of
 * the message itself ("This email …", "Diese E-Mail …") and carries several of the notice's usual
 * ingredients: confidentiality, the intended recipient, receipt in error, a request to delete, a
 * prohibition, attachments, liability. A client who writes "keep this confidential" in prose gives
 * one ingredient, not three.
 */

// A notice heading followed by a colon or dash: "CONFIDENTIALITY NOTICE:", "Aviso legal -".
const HEADING = new RegExp(
  String.raw`^[\[*(]{0,2}\s*(?:${[
    'confidentiality notice',
    'confidentiality statement',
    'confidentiality',
    'confidential',
    'privileged (?:and|&) confidential',
    'confidential (?:and|&) privileged',
    'disclaimer',
    'legal disclaimer',
    'e-?mail disclaimer',
    'legal notice',
    'important notice',
    'aviso legal',
    'aviso de confidencialidad',
    'cláusula de confidencialidad',
    'confidencialidad',
    'nota de confidencialidad',
    'advertencia legal',
    'avviso di riservatezza',
    'avviso legale',
    'nota di riservatezza',
    'riservatezza',
    'clausola di riservatezza',
    'informativa sulla riservatezza',
    'vertraulichkeitshinweis',
    'vertraulichkeitserklärung',
    'vertraulich',
    'haftungsausschluss',
    'rechtlicher hinweis',
    'rechtliche hinweise',
    'avis de confidentialité',
    'avis de non-responsabilité',
    'clause de confidentialité',
    'confidentialité',
    'avertissement',
    'aviso de confidencialidade',
    'confidencialidade',
    'vertrouwelijkheid',
    'sekretessmeddelande',
    'ansvarsfriskrivning',
  ]
    .sort((a, b) => b.length - a.length)
    .join('|')})\s*[\])*]{0,2}\s*[:：–—-]`,
  'iu',
);

// The notice speaking of the message itself, at its start.
const OPENER = new RegExp(
  String.raw`^(?:${[
    // English
    'this (?:e-?mail|email message|e-mail message|message|communication|transmission|electronic (?:mail|message|communication)|document)',
    'the (?:information|contents?) (?:contained |transmitted |included )?(?:in|of|with(?:in)?|by) this',
    'the information (?:contained|transmitted|in)',
    'if you (?:are not|have received|received|receive)',
    'any (?:views|opinions|unauthori[sz]ed)',
    'privileged',
    'confidential',
    // Spanish
    '(?:este|el presente) (?:mensaje|correo|e-?mail)',
    '(?:la información|el contenido) (?:contenid[ao] |incluid[ao] )?(?:en |de )?(?:este|esta|el presente)',
    'si (?:usted )?(?:no es|lo ha recibido|la ha recibido|ha recibido|recibe)',
    // Italian
    '(?:questo|il presente) (?:messaggio|e-?mail)',
    'questa (?:e-?mail|comunicazione)',
    '(?:le informazioni|il contenuto) (?:contenut[ei] )?(?:in |di |nel(?:la)? )?(?:questo|questa|presente)',
    'se (?:avete|ha|hai|non siete|non è) (?:ricevuto|il destinatario)',
    // German
    'diese (?:e-?mail|nachricht|mitteilung)',
    '(?:die )?(?:informationen|der inhalt) (?:in |dieser )',
    '(?:wenn|falls|sollten) sie (?:nicht|diese)',
    // French
    'ce (?:message|courriel|e-?mail|mail)',
    '(?:les informations|le contenu) (?:contenues? )?(?:dans |de )?(?:ce|cet|le présent)',
    "si vous (?:n['’]êtes pas|avez reçu|recevez)",
    // Portuguese
    '(?:esta|a presente) (?:mensagem|comunicação)',
    'este e-?mail',
    'as informações (?:contidas|constantes)',
    'se (?:você )?(?:não for|recebeu)',
    // Dutch, Swedish, Danish
    '(?:deze|dit) (?:e-?mail|bericht|e-?mailbericht)',
    'de informatie (?:in|verzonden)',
    '(?:detta|denna) (?:e-?post|meddelande|e-?postmeddelande)',
    'denne (?:e-?mail|besked|e-?post)',
  ].join('|')})(?![\p{L}])`,
  'iu',
);

// The ingredients of a notice; each group counts once. The first two are the hallmarks of a notice
// (nobody writes "if you are not the intended recipient" to a colleague).
const RECIPIENT =
  /intended recipient|addressee|sole use|exclusive use|destinatari|destinataire|empfänger|adressat|geadresseerde|destinatário|mottagare|modtager/iu;
const IN_ERROR =
  /in error|by mistake|erroneously|por error|por equivocación|per errore|in errore|per sbaglio|par erreur|irrtümlich|fälschlich|versehentlich|por engano|ten onrechte|per vergissing|av misstag|ved en fejl/iu;
const CUES: RegExp[] = [
  RECIPIENT,
  IN_ERROR,
  /confiden|privileg|riservat|vertraulich|vertrouwelijk|sigilos|proprietary|konfidentiell|fortrolig|luottamuksellinen|poufn/iu,
  /delete|destroy|notify the sender|notify us|elimin|borr[ae]|cancella(?:rl|re|tel|zione)|distrugg|lösch|vernicht|supprim|détrui|verwijder|apag[ae]|destru|radera|slette|avisar al remitente|avvisare il mittente|benachrichtigen/iu,
  /unauthori[sz]ed|prohibited|strictly|forbidden|prohibid|vietat|untersagt|unzulässig|nicht gestattet|interdit|verboden|proibid|no autorizad|non autorizzat|não autorizad|distribution|distribución|distribuzione|diffusion|diffusione|weitergabe|dissemination|disclosure|divulga/iu,
  /attachments|adjuntos|allegat|anhänge|anlagen|pièces? jointes?|bijlage|anexos|bilagor/iu,
  /virus|liabilit|legally binding|responsabilidad|responsabilità|haftung|responsabilité|aansprakelijk|ansvar/iu,
];

// "Please consider the environment before printing this email" and its translations.
const PRINT_FOOTER = new RegExp(
  String.raw`^(?:${[
    '(?:please )?(?:consider|think (?:of|about)) the environment before printing',
    "(?:please )?(?:don['’]t|do not) print this e-?mail",
    'think before you print',
    'save a tree',
    '(?:bitte )?denken sie an die umwelt',
    'bitte drucken sie diese e-?mail nur',
    "(?:merci de )?pensez? à l['’]environnement",
    "avant d['’]imprimer",
    'antes de imprimir',
    'piensa en el medio ambiente',
    'prima di stampare',
    "rispetta l['’]ambiente",
    'denk aan het milieu',
    'tänk på miljön',
  ].join('|')})(?![\p{L}])`,
  'iu',
);

// Only the first characters of a long notice are read: the ingredients come early.
const MAX_READ = 1500;

function cues(text: string): { count: number; hallmark: boolean } {
  const t = text.length > MAX_READ ? text.slice(0, MAX_READ) : text;
  let count = 0;
  for (const cue of CUES) if (cue.test(t)) count++;
  return { count, hallmark: RECIPIENT.test(t) || IN_ERROR.test(t) };
}

export interface DisclaimerContext {
  /** Is there a signature-like line (name, title, company, contact data, sign-off) right above? */
  signatureAbove: boolean;
}

/** Is this paragraph (its lines joined) a disclaimer? */
export function isDisclaimerText(text: string, context: DisclaimerContext): boolean {
  if (PRINT_FOOTER.test(text)) return text.length <= 200;
  const head = HEADING.exec(text);
  // "Confidential: please delete the old price list" is a remark; a notice has more to it.
  if (head) return cues(text.slice(head[0].length)).count >= 2;
  const found = cues(text);
  if (OPENER.test(text)) {
    if (context.signatureAbove) return found.count >= 2;
    return found.count >= 3 && found.hallmark;
  }
  // No opener: a long notice below a signature, with the ingredients of one.
  return context.signatureAbove && text.length >= 120 && found.count >= 3 && found.hallmark;
}

/** Does a notice start on this line (so the block above it may be something else)? */
export function opensDisclaimer(line: string): boolean {
  return HEADING.test(line) || OPENER.test(line) || PRINT_FOOTER.test(line);
}
