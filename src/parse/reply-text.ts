/**
 * Splits a reply's plain text into what the sender newly wrote, the quoted history and the signature.
 * Pure. A first rule set: English and German quote headers, Outlook header blocks, `>` quoting with
 * inline answers kept, `-- ` and mobile signatures.
 */

export interface ReplyParts {
  visible: string;
  quoted: string;
  signature: string;
}

const QUOTE_HEADER_PATTERNS: RegExp[] = [
  /^On\b.{0,200}\bwrote:\s*$/i,
  /^Am\b.{0,200}\bschrieb\b.{0,200}:\s*$/i,
  /^Le\b.{0,200}\ba écrit\s*:\s*$/i,
  /^El\b.{0,200}\bescribió:\s*$/i,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*Ursprüngliche Nachricht\s*-{2,}\s*$/i,
];

const HEADER_BLOCK_FROM = /^\*?(From|Von|De|Van|Från|Da):\*?\s/i;
const HEADER_BLOCK_NEXT =
  /^\*?(Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|Objet|À|Verzonden|Skickat|Inviato):\*?\s/i;
const FORWARD_MARKER = /^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}/i;

const MOBILE_SIGNATURES: RegExp[] = [
  /^Sent from my (iPhone|iPad|Android|mobile device|phone|Galaxy|BlackBerry)/i,
  /^Sent from (Outlook|Mail) for (iOS|Android|Windows)/i,
  /^Get Outlook for (iOS|Android)/i,
  /^Von meinem (iPhone|iPad|Smartphone) gesendet/i,
  /^Gesendet von meinem (iPhone|iPad|Smartphone)/i,
  /^Envoyé de mon (iPhone|iPad)/i,
];

/** Two-line quote headers ("On Tue, 10 Nov 2026 at 14:02, Maya Lopez <maya@\n…> wrote:") are joined first. */
function isQuoteHeaderAt(lines: string[], i: number): boolean {
  const line = (lines[i] ?? '').trim();
  if (QUOTE_HEADER_PATTERNS.some((p) => p.test(line))) return true;
  const joined = `${line} ${(lines[i + 1] ?? '').trim()}`;
  if (/^(On|Am|Le|El)\b/i.test(line) && QUOTE_HEADER_PATTERNS.some((p) => p.test(joined))) return true;
  if (HEADER_BLOCK_FROM.test(line)) {
    const following = lines.slice(i + 1, i + 5).map((l) => l.trim());
    return following.filter((l) => HEADER_BLOCK_NEXT.test(l)).length >= 2;
  }
  return /^_{10,}\s*$/.test(line) && HEADER_BLOCK_FROM.test((lines[i + 1] ?? '').trim());
}

export function extractReply(text: string): ReplyParts {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (FORWARD_MARKER.test(line)) break; // a forwarded block is content, not history
    if (isQuoteHeaderAt(lines, i)) {
      cut = i;
      break;
    }
  }
  // Trailing `>` lines after the last unquoted line are history; `>` lines between the sender's own
  // lines are the context of inline answers and are left out of the visible text but kept as quoted.
  const head = lines.slice(0, cut);
  const own: string[] = [];
  const quoted: string[] = [];
  for (const line of head) {
    if (/^\s*>/.test(line)) quoted.push(line);
    else own.push(line);
  }
  quoted.push(...lines.slice(cut));

  let signatureStart = own.length;
  for (let i = 0; i < own.length; i++) {
    const line = own[i] ?? '';
    if (line === '-- ' || line === '--' || MOBILE_SIGNATURES.some((p) => p.test(line.trim()))) {
      signatureStart = i;
      break;
    }
  }
  return {
    visible: tidy(own.slice(0, signatureStart).join('\n')),
    quoted: tidy(quoted.join('\n')),
    signature: tidy(own.slice(signatureStart).join('\n')),
  };
}

function tidy(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
