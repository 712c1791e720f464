/**
 * Outlook-style header blocks that start quoted history without any `>` marker:
 *
 *   ________________________________
 *   From: Maya Lopez <maya@studio.example>
 *   Sent: Monday, 16 November 2026 10:12
 *   To: Sarah Chen
 *   Subject: RE: Label v2
 *
 * Field names come in the sender's UI language, in several orders, sometimes bold (`*From:*`),
 * sometimes with a wrapped recipient list between fields.
 */

type Field = 'from' | 'date' | 'to' | 'cc' | 'subject' | 'other';

const FIELD_NAMES: Record<Field, string[]> = {
  from: [
    'from',
    'von',
    'de',
    'van',
    'från',
    'fra',
    'frá',
    'da',
    'od',
    'від',
    'от',
    'lähettäjä',
    'feladó',
    'kimden',
    'από',
    'remitente',
    'expéditeur',
    'mittente',
    'afzender',
    'avsändare',
    'nadawca',
    'od kogo',
    'отправитель',
    'odesílatel',
    '发件人',
    '寄件者',
    '差出人',
    '보낸 사람',
    'من',
  ],
  date: [
    'sent',
    'date',
    'gesendet',
    'datum',
    'envoyé',
    'envoyé le',
    'enviado',
    'enviada',
    'fecha',
    'inviato',
    'data',
    'verzonden',
    'verstuurd',
    'skickat',
    'sendt',
    'dato',
    'wysłano',
    'wysłane',
    'отправлено',
    'дата',
    'надіслано',
    'lähetetty',
    'päivämäärä',
    'elküldve',
    'dátum',
    'gönderildi',
    'tarih',
    'στάλθηκε',
    'ημερομηνία',
    'odesláno',
    '发送时间',
    '日期',
    '寄件日期',
    '送信日時',
    '日付',
    '보낸 날짜',
    'message du',
    'تم الإرسال',
    'التاريخ',
  ],
  to: [
    'to',
    'an',
    'à',
    'a',
    'para',
    'aan',
    'till',
    'til',
    'do',
    'кому',
    'vastaanottaja',
    'címzett',
    'kime',
    'προς',
    'destinataire',
    'destinatario',
    'komu',
    'adresat',
    '收件人',
    '宛先',
    '받는 사람',
    'إلى',
  ],
  cc: [
    'cc',
    'copie',
    'copie à',
    'نسخة',
    'kopie',
    'kopia',
    'копия',
    'копія',
    'kopio',
    'másolat',
    'bilgi',
    'κοιν',
    '抄送',
    '副本',
    '참조',
    'bcc',
  ],
  subject: [
    'subject',
    'betreff',
    'objet',
    'sujet',
    'asunto',
    'oggetto',
    'assunto',
    'onderwerp',
    'ämne',
    'emne',
    'temat',
    'тема',
    'aihe',
    'tárgy',
    'konu',
    'θέμα',
    'předmět',
    'predmet',
    'tema',
    '主题',
    '主旨',
    '件名',
    '제목',
    'الموضوع',
  ],
  other: [
    'reply-to',
    'antwort an',
    'répondre à',
    'importance',
    'wichtigkeit',
    'priority',
    'attachments',
    'anlagen',
    'pièces jointes',
  ],
};

const FIELD_BY_NAME = new Map<string, Field>();
for (const [field, names] of Object.entries(FIELD_NAMES) as [Field, string[]][]) {
  for (const name of names) FIELD_BY_NAME.set(name, field);
}

// "From: x", "*From:* x", "**From:** x", "From : x" (French spacing), "发件人：x". The name part is at
// most a few words, so `[^:：]{1,24}` cannot run away.
const FIELD_LINE = /^[*_]{0,2}([^\s:：*][^:：*]{0,23}?)\s?[*_]{0,2}\s?[:：][*_]{0,2}(?:\s|$)/u;

const ALL_NAMES = [...FIELD_BY_NAME.keys()].sort((a, b) => b.length - a.length).join('|');
// Some Polish and Czech webmails flatten the quoted header into one line:
// "Temat: RE: Offer 2023-01-17 13:46Nadawca: "Shop" shop@example.com Adresat:".
const INLINE_FIELD = new RegExp(`(?:^|[\\s\\d"])(${ALL_NAMES})\\s?:`, 'giu');

function inlineFields(line: string): Set<Field> {
  const seen = new Set<Field>();
  if (line.length > 600) return seen;
  for (const m of line.matchAll(INLINE_FIELD)) {
    const field = FIELD_BY_NAME.get((m[1] ?? '').toLowerCase());
    if (field) seen.add(field);
  }
  return seen;
}

export function headerField(line: string): Field | null {
  const m = FIELD_LINE.exec(line);
  if (!m) return null;
  return FIELD_BY_NAME.get((m[1] ?? '').trim().toLowerCase()) ?? null;
}

const RULE = /^(?:[_\-=~—–*]\s?){5,}$/u;
// Directly above a header block even a short rule ("====", "___") is a separator.
const SHORT_RULE = /^[_\-=~—–*]{3,}$/u;

export function isRule(line: string): boolean {
  return RULE.test(line);
}

export interface HeaderBlock {
  /** First line of the block (the rule above it, when there is one). */
  start: number;
  /** One past the last header line. */
  end: number;
}

/** Index of a rule line above `i`, across at most two blank lines, or -1. */
function ruleAbove(lines: readonly string[], i: number): number {
  for (let k = i - 1; k >= 0 && k >= i - 3; k--) {
    const line = lines[k] ?? '';
    if (SHORT_RULE.test(line) || RULE.test(line)) return k;
    if (line !== '') return -1;
  }
  return -1;
}

/**
 * Is there a header block starting at `i`? `lines` are trimmed. A block needs a From-like field and
 * at least two other distinct fields, or one other field when a rule line or an address shows it is
 * a header (a single "From:" line in prose stays prose).
 */
export function headerBlockAt(lines: readonly string[], i: number): HeaderBlock | null {
  const first = headerField(lines[i] ?? '');
  if (first === null || first === 'other') return null;
  const inline = inlineFields(lines[i] ?? '');
  if (inline.has('from') && [...inline].filter((f) => f !== 'from' && f !== 'other').length >= 2) {
    return { start: i, end: i + 1 };
  }
  const seen = new Set<Field>([first]);
  let end = i + 1;
  let fromValue = first === 'from' ? (lines[i] ?? '') : '';
  let gap = 0;
  for (let j = i + 1; j < lines.length && j < i + 16; j++) {
    const line = lines[j] ?? '';
    const field = headerField(line);
    if (field !== null) {
      seen.add(field);
      if (field === 'from') fromValue = line;
      end = j + 1;
      gap = 0;
      continue;
    }
    // Long recipient lists wrap onto continuation lines; a blank line or two may sit between fields
    // when the block was converted from HTML paragraphs.
    gap++;
    if (gap > 2 || (line === '' && j > i + 1 && (lines[j - 1] ?? '') === '')) break;
  }
  if (!seen.has('from')) return null;
  const others = [...seen].filter((f) => f !== 'from' && f !== 'other').length;
  const rule = ruleAbove(lines, i);
  const addressed = /@|\[mailto:/.test(fromValue);
  if (others < 2 && !(others >= 1 && (rule >= 0 || addressed))) return null;
  return { start: rule >= 0 ? rule : i, end };
}
