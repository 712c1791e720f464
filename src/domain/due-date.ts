/**
 * The due date a client asked for ("by Friday", "bis Freitag", "pour vendredi"), read from the request's
 * visible text relative to when it was sent, in the client's time zone. A day without a time means the
 * end of that business day in the client's zone, not noon UTC: "by Friday" from Sydney is not Thursday
 * night in London.
 */

type Parser = { parser: import('chrono-node').Chrono; english: boolean };
let parsers: Promise<Parser[]> | undefined;

/** chrono-node is loaded on the first request (about 20 MB): most processes never read a due date. */
function loadParsers(): Promise<Parser[]> {
  parsers ??= import('chrono-node').then((chrono) =>
    [chrono.en, chrono.de, chrono.fr, chrono.es, chrono.it, chrono.pt, chrono.nl, chrono.sv].map(
      (locale, i) => ({
        parser: locale.casual,
        english: i === 0,
      }),
    ),
  );
  return parsers;
}

/**
 * Other languages' weekday abbreviations are everyday English words ("do", "so", "on"): a short match
 * without a digit counts only in English ("Fri"), and two letters never.
 */
function plausible(text: string, english: boolean): boolean {
  if (/\d/.test(text)) return true;
  return text.trim().length >= (english ? 3 : 4);
}

/**
 * Words that mark a date as a deadline rather than a mention ("we met on Monday"). A cued date wins over
 * an earlier uncued one; without any cue the first future date is taken.
 */
const DEADLINE_CUE =
  /\b(?:by|until|till|before|due|deadline|no later than|latest|need(?:ed)? (?:it|them|this)?|bis|spätestens|zum|avant|pour|d'ici|au plus tard|para|antes del?|hasta|entro|per|prima di|até|tot|voor|uiterlijk|senast|innan)\W*$/i;

export interface DueDate {
  dueAt: Date;
  /** The words it was read from, for the request's record. */
  phrase: string;
}

export interface DueDateOptions {
  /** When the client wrote it: "Friday" is the next Friday after this. */
  sentAt: Date;
  /** IANA zone of the client, e.g. Europe/Berlin. */
  timeZone: string;
  /** End of the client's business day, "HH:MM", for a date without a time. */
  endOfDay: string;
}

export async function parseDueDate(text: string, options: DueDateOptions): Promise<DueDate | null> {
  // Long mails are cut: a deadline is stated near the top, and chrono is slow on huge input.
  const input = text.slice(0, 4000);
  if (input.trim() === '') return null;
  const reference = {
    instant: options.sentAt,
    timezone: zoneOffsetMinutes(options.timeZone, options.sentAt),
  };
  const startOfToday = localMidnight(options.sentAt, options.timeZone);
  const found: { index: number; cued: boolean; due: DueDate }[] = [];
  for (const { parser, english } of await loadParsers()) {
    for (const result of parser.parse(input, reference, { forwardDate: true })) {
      if (!plausible(result.text, english)) continue;
      const start = result.start;
      // A month alone ("the October invoice", "in January") names no day to be due on.
      if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
      const [year, month, day] = [start.get('year'), start.get('month'), start.get('day')];
      if (year === null || month === null || day === null) continue;
      let dueAt = start.date();
      if (!start.isCertain('hour')) {
        const [hour = 17, minute = 0] = options.endOfDay.split(':').map(Number);
        dueAt = zonedTimeToUtc({ year, month, day, hour, minute }, options.timeZone);
      }
      if (dueAt.getTime() < startOfToday.getTime()) continue;
      const cued = DEADLINE_CUE.test(input.slice(Math.max(0, result.index - 30), result.index));
      found.push({ index: result.index, cued, due: { dueAt, phrase: result.text } });
    }
  }
  found.sort((a, b) => Number(b.cued) - Number(a.cued) || a.index - b.index);
  return found[0]?.due ?? null;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function localParts(at: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

/** Minutes the zone is ahead of UTC at that instant (Europe/Berlin in winter: 60). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const l = localParts(at, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The instant a wall-clock time in a zone names (two passes settle DST edges). */
export function zonedTimeToUtc(local: LocalTime, timeZone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  let guess = wall - zoneOffsetMinutes(timeZone, new Date(wall)) * 60_000;
  guess = wall - zoneOffsetMinutes(timeZone, new Date(guess)) * 60_000;
  return new Date(guess);
}

function localMidnight(at: Date, timeZone: string): Date {
  const l = localParts(at, timeZone);
  return zonedTimeToUtc({ ...l, hour: 0, minute: 0 }, timeZone);
}
