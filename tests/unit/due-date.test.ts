import { describe, expect, it } from 'vitest';
import { parseDueDate, zonedTimeToUtc, zoneOffsetMinutes } from '../../src/domain/due-date.js';

// Wednesday 25 November 2026, 09:00 in Berlin.
const SENT = new Date('2026-11-25T08:00:00Z');
const BERLIN = { sentAt: SENT, timeZone: 'Europe/Berlin', endOfDay: '17:30' };

describe('parseDueDate', () => {
  it.each([
    ['Can you do 3 LinkedIn banners by Friday?', '2026-11-27T16:30:00.000Z'],
    ['We need them by 3pm on Friday', '2026-11-27T14:00:00.000Z'],
    ['Please have it ready by December 3', '2026-12-03T16:30:00.000Z'],
    ['Could we get this tomorrow?', '2026-11-26T16:30:00.000Z'],
    ['Bitte bis Freitag liefern.', '2026-11-27T16:30:00.000Z'],
    ['Pourriez-vous nous envoyer ça pour vendredi ?', '2026-11-27T16:30:00.000Z'],
    ['¿Lo tenéis para el viernes?', '2026-11-27T16:30:00.000Z'],
  ])('%s -> %s', async (text, due) => {
    expect((await parseDueDate(text, BERLIN))?.dueAt.toISOString()).toBe(due);
  });

  it('prefers a date marked as a deadline over an earlier mention', async () => {
    const due = await parseDueDate(
      'After our call on Monday: could you send the poster by Thursday?',
      BERLIN,
    );
    expect(due?.phrase).toMatch(/Thursday/);
    expect(due?.dueAt.toISOString()).toBe('2026-11-26T16:30:00.000Z');
  });

  it('reads the day in the client time zone', async () => {
    // Friday end of business in Sydney is Friday morning UTC.
    const sydney = await parseDueDate('by Friday please', { ...BERLIN, timeZone: 'Australia/Sydney' });
    expect(sydney?.dueAt.toISOString()).toBe('2026-11-27T06:30:00.000Z');
  });

  it('finds nothing when there is no date', async () => {
    expect(await parseDueDate('Can you do three banners for the webinar?', BERLIN)).toBeNull();
    expect(await parseDueDate('', BERLIN)).toBeNull();
    // A month alone is what the work is about, not when it is due.
    expect(await parseDueDate('Could you send the PO number for the October invoice?', BERLIN)).toBeNull();
    expect(await parseDueDate('Social templates for the awareness days in January', BERLIN)).toBeNull();
  });
});

describe('zone arithmetic', () => {
  it('follows daylight saving time', () => {
    expect(zoneOffsetMinutes('Europe/Berlin', new Date('2026-07-01T12:00:00Z'))).toBe(120);
    expect(zoneOffsetMinutes('Europe/Berlin', new Date('2026-01-01T12:00:00Z'))).toBe(60);
    expect(
      zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 12, minute: 0 }, 'Europe/Berlin').toISOString(),
    ).toBe('2026-03-29T10:00:00.000Z');
  });
});
