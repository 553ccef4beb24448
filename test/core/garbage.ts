/**
 * Values a state tag or request field may hold that are not instants: random text, the strings
 * `new Date()` reads loosely, and near misses of the real format (valid-looking, but not a real
 * UTC instant that round-trips). Shared by the parser's tests and the planner's hostile-state ones.
 */
import fc from 'fast-check';

/** Known traps, each once read by `new Date()` as some instant. */
export const LOOSE = [
  '1', '2026', '1 2 3', '0', '-1', '1763899200', 'NaN', 'Infinity', 'null', '', ' ', 'now', 'tomorrow',
  '2027-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-31T12:00:00Z',
  '2026-11-23T24:00:00Z', '2026-11-23T23:60:00Z', '2026-11-23T23:59:60Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z',
  '2026-11-00T00:00:00Z', '2026-11-23T12:00:00', '2026-11-23T12:00:00+00:00', '2026-11-23T12:00:00+0000', '2026-11-23T12:00:00-05:00',
  '2026-11-23T12:00Z', '2026-11-23', '2026-11-23 12:00:00Z', '2026-11-23t12:00:00z', '2026-11-23T12:00:00.5Z', '2026-11-23T12:00:00.50Z',
  '2026-11-23T12:00:00.0000Z', '+002026-11-23T12:00:00.000Z', '-000001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '0099-12-31T23:59:59Z',
  ' 2026-11-23T12:00:00Z', '2026-11-23T12:00:00Z ', '2026-11-23T12:00:00Z\n', '２０２６-11-23T12:00:00Z', 'Mon, 23 Nov 2026 12:00:00 GMT',
  'Nov 23 2026', '23/11/2026', '2026-11-23T12:00:00.000Z2026', '2026-11-23T12:00:00ZZ',
] as const;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => (m === 2 && leap(y) ? 29 : DAYS[m - 1]!);

/** A valid-looking timestamp with one field or the zone wrong. */
export const nearMiss: fc.Arbitrary<string> = fc
  .record({
    y: fc.integer({ min: 1970, max: 2199 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    kind: fc.constantFrom('overflow-day', 'day-zero', 'month', 'hour-24', 'minute', 'second', 'offset', 'no-zone', 'lower', 'fraction', 'space', 'suffix', 'short-year', 'leap'),
    offset: fc.constantFrom('+00:00', '-00:00', '+01:00', '-05:30', '+0000'),
    frac: fc.constantFrom('.1', '.12', '.1234', '.123456789', '.', ',123'),
    suffix: fc.string({ minLength: 1, maxLength: 3 }),
  })
  .map((v) => {
    const date = (d: number, mo = v.mo, y = v.y) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
    const time = `${pad(v.h)}:${pad(v.mi)}:${pad(v.s)}`;
    switch (v.kind) {
      case 'overflow-day': return `${date(daysIn(v.y, v.mo) + 1 + (v.d % (32 - daysIn(v.y, v.mo))))}T${time}Z`;
      case 'day-zero': return `${date(0)}T${time}Z`;
      case 'month': return `${pad(v.y, 4)}-${pad(13 + (v.mo % 87))}-${pad(v.d)}T${time}Z`;
      case 'hour-24': return `${date(v.d)}T${pad(24 + (v.h % 76))}:${pad(v.mi)}:${pad(v.s)}Z`;
      case 'minute': return `${date(v.d)}T${pad(v.h)}:${pad(60 + (v.mi % 40))}:${pad(v.s)}Z`;
      case 'second': return `${date(v.d)}T${pad(v.h)}:${pad(v.mi)}:${pad(60 + (v.s % 40))}Z`;
      case 'offset': return `${date(v.d)}T${time}${v.offset}`;
      case 'no-zone': return `${date(v.d)}T${time}`;
      case 'lower': return `${date(v.d)}t${time}z`;
      case 'fraction': return `${date(v.d)}T${time}${v.frac}Z`;
      case 'space': return `${date(v.d)} ${time}Z`;
      case 'suffix': return `${date(v.d)}T${time}Z${v.suffix}`;
      case 'short-year': return `${pad(v.y % 100)}-${pad(v.mo)}-${pad(v.d)}T${time}Z`;
      // 29 February of a year that has none.
      default: return `${date(29, 2, leap(v.y) ? v.y + 1 : v.y)}T${time}Z`;
    }
  });

/** Anything but a strict instant: random text, the loose traps, near misses. */
export const garbageInstant: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...LOOSE), weight: 3 },
  { arbitrary: nearMiss, weight: 3 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
);

/** A valid pin tag value to corrupt one part of. */
const PIN_OK = { away: 'away-from=us-east-1a', until: 'until=2026-11-23T14:00:00Z', by: 'by=ops', target: 'target=nat-0000000b' };

/**
 * Values of the one `pin` key that are not a readable pin: every part corrupted in turn (an
 * instant from garbageInstant, an AZ, a `by` with spaces or unsafe characters, a nat id), broken
 * structure (duplicates, unknown fields, doubled spaces) and random text. A few may happen to be
 * valid: tests drop those by reading them.
 */
export const garbagePin: fc.Arbitrary<string> = fc.oneof(
  garbageInstant.map((j) => `${PIN_OK.away} until=${j} ${PIN_OK.by}`),
  fc.string({ maxLength: 40 }).map((a) => `away-from=${a} ${PIN_OK.until} ${PIN_OK.by}`),
  fc.string({ maxLength: 140 }).map((b) => `${PIN_OK.away} ${PIN_OK.until} by=${b}`),
  fc.string({ maxLength: 24 }).map((t) => `${PIN_OK.away} ${PIN_OK.by} target=${t}`),
  fc.shuffledSubarray(Object.values(PIN_OK)).map((parts) => [...parts, ...parts.slice(0, 1)].join(' ')),
  fc.constantFrom(
    '',
    ' ',
    'away-from=us-east-1a  by=ops',
    ' away-from=us-east-1a by=ops',
    'away-from=us-east-1a by=ops ',
    'away-from=us-east-1a by=',
    'by=ops until=2026-11-23T14:00:00Z',
    'away-from=us-east-1a colour=red',
    'away-from=us-east-1a,by=ops',
    'away-from=us-east-1a\tby=ops',
    'AWAY-FROM=us-east-1a',
    'away-from=US-EAST-1A',
    'away-from=us-east-1a until=2026-11-23T14:00:00Z until=2099-01-01T00:00:00Z',
    'away-from=us-east-1a until=',
    'away-from=us-east-1a target=nat-XYZ',
    `away-from=us-east-1a by=${'x'.repeat(129)}`,
  ),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Values of the `flaps` key that are not `<count>` or `<count>@<instant>`. */
export const garbageFlaps: fc.Arbitrary<string> = fc.oneof(
  garbageInstant.map((j) => `1@${j}`),
  garbageInstant,
  fc.constantFrom('-1', '1e3', '0x10', ' 7', '7 ', '1234567', '@2026-11-23T12:00:00Z', '1@', '2@2026-11-23T12:00:00Z@x', '2 @2026-11-23T12:00:00Z', '１'),
  fc.string({ maxLength: 40 }),
);
