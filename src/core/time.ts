/**
 * The one reader of instants written by people or by earlier runs (state tags, evacuation memory,
 * requests). `new Date()` accepts "1", "2026", "1 2 3" and rolls "2027-02-30" into March, so a
 * hand-edited `home-ok-since=1` would satisfy any hold-down. Only a full ISO 8601 UTC instant is
 * read: `YYYY-MM-DDTHH:MM:SSZ`, optionally with milliseconds (`.sss`, what `toISOString` writes),
 * and only when it names a real calendar instant, checked by writing it back: the result must
 * round-trip to the same text. Offsets, missing `Z`, `24:00`, leap seconds, day 30 of February,
 * years before 0100 and anything longer than the format are refused.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;

/** Length of the longest accepted text (`2026-11-23T12:00:00.000Z`). */
export const INSTANT_MAX_LENGTH = 24;

/** The instant `text` names, or undefined when it is not a strict ISO 8601 UTC instant. */
export function parseInstant(text: unknown): Date | undefined {
  if (typeof text !== 'string' || text.length > INSTANT_MAX_LENGTH) return undefined;
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Number(m[7].slice(1)) : 0);
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999 and rolls overflowing fields over; writing the instant
  // back and comparing catches both, and every out-of-range field (month 13, 24:00, second 60).
  const back = d.toISOString();
  const expected = m[7] ? text : text.replace(/Z$/, '.000Z');
  return back === expected ? d : undefined;
}

/** A short, printable excerpt of an unreadable value, for a finding (tag values hold 256 characters). */
export function excerpt(value: string, max = 40): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * The one format instants are shown in to people: ISO 8601, UTC, whole seconds
 * (`2026-11-23T12:00:00Z`). Machine output (JSON) keeps toISOString's milliseconds.
 */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Every toISOString instant inside `text` shown as isoSeconds (for text assembled elsewhere). */
export const withIsoSeconds = (text: string): string => text.replace(/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{3}Z/g, '$1Z');
