/** Defensive readers for untrusted JSON: they return undefined instead of throwing. */

export type Json = Readonly<Record<string, unknown>>;

export const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;
const RFC1123 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An event's time, strictly: full ISO 8601 with seconds and a zone (EventBridge's `time`, also
 * CloudWatch's `+0000` offsets) or RFC 1123 (Health's `Fri, 27 Jan 2023 06:02:51 GMT`). The fields
 * must exist as written (2027-02-30 is refused, not rolled to March): an event's time orders it
 * against the others, so "1" or "2026" must not read as a date.
 */
export function date(v: unknown): Date | undefined {
  const s = str(v);
  if (s === undefined || s.length > 64) return undefined;
  const iso = ISO.exec(s);
  const rfc = iso ? undefined : RFC1123.exec(s);
  const fields = iso
    ? { y: iso[1], mo: Number(iso[2]), d: iso[3], h: iso[4], mi: iso[5], se: iso[6] }
    : rfc
      ? { y: rfc[3], mo: MONTHS.indexOf(rfc[2] as string) + 1, d: rfc[1], h: rfc[4], mi: rfc[5], se: rfc[6] }
      : undefined;
  if (!fields) return undefined;
  const { y, mo, d, h, mi, se } = fields;
  // The calendar fields must name a real instant (checked in UTC, before any offset is applied).
  const check = new Date(Date.UTC(Number(y), mo - 1, Number(d), Number(h), Number(mi), Number(se)));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || check.getUTCMinutes() !== Number(mi) || check.getUTCSeconds() !== Number(se)) return undefined;
  const t = new Date(iso ? s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : check.toISOString());
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** Every string inside `v` (objects and arrays, bounded depth), for tolerant searches. */
export function strings(v: unknown, depth = 4): string[] {
  if (typeof v === 'string') return [v];
  if (depth <= 0 || v === null || typeof v !== 'object') return [];
  const values = Array.isArray(v) ? v : Object.values(v as Json);
  return values.flatMap((x) => strings(x, depth - 1));
}
