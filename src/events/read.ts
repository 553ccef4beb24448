/** Defensive readers for untrusted JSON: they return undefined instead of throwing. */

export type Json = Readonly<Record<string, unknown>>;

export const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** ISO 8601 (also CloudWatch's `+0000` offsets) and RFC 1123 (Health's `Fri, 27 Jan 2023 06:02:51 GMT`). */
export function date(v: unknown): Date | undefined {
  const s = str(v);
  if (s === undefined || s.length > 64) return undefined;
  const d = new Date(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Every string inside `v` (objects and arrays, bounded depth), for tolerant searches. */
export function strings(v: unknown, depth = 4): string[] {
  if (typeof v === 'string') return [v];
  if (depth <= 0 || v === null || typeof v !== 'object') return [];
  const values = Array.isArray(v) ? v : Object.values(v as Json);
  return values.flatMap((x) => strings(x, depth - 1));
}
