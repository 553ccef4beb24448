import fc from 'fast-check';
import { INSTANT_MAX_LENGTH, excerpt, parseInstant } from '../../src/core/time';
import { LOOSE, garbageInstant, nearMiss } from './garbage';

const RUNS = { numRuns: 2000 };
const instants = fc.date({ min: new Date('0100-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

describe('parseInstant: the one strict reader of instants', () => {
  it('reads what toISOString writes, with or without milliseconds, as the same instant', () => {
    fc.assert(
      fc.property(instants, (d) => {
        expect(parseInstant(d.toISOString())).toStrictEqual(d);
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(parseInstant(whole.toISOString().replace('.000Z', 'Z'))).toStrictEqual(whole);
      }),
      RUNS,
    );
  });

  it('accepts a leap day of a leap year and the last instant of a day', () => {
    expect(parseInstant('2028-02-29T23:59:59Z')).toStrictEqual(new Date(Date.UTC(2028, 1, 29, 23, 59, 59)));
    expect(parseInstant('2000-02-29T00:00:00.000Z')).toStrictEqual(new Date(Date.UTC(2000, 1, 29)));
  });

  it.each(LOOSE.map((v) => [v]))('refuses %p (loose, rolled over, not UTC, or not the format)', (v) => {
    expect(parseInstant(v)).toBeUndefined();
  });

  it('refuses every near miss: overflow days, 24:00, minute/second 60, offsets, missing Z, other fractions, leap days of common years', () => {
    fc.assert(fc.property(nearMiss, (v) => expect(parseInstant(v)).toBeUndefined()), RUNS);
  });

  it('never reads anything that does not round-trip exactly: whatever it accepts, it writes back as the same text', () => {
    fc.assert(
      fc.property(fc.oneof(garbageInstant, instants.map((d) => d.toISOString()), fc.string()), (v) => {
        const d = parseInstant(v);
        if (d !== undefined) expect([d.toISOString(), d.toISOString().replace('.000Z', 'Z')]).toContain(v);
      }),
      RUNS,
    );
  });

  it('refuses non-strings and anything longer than the format without looking further', () => {
    for (const v of [undefined, null, 0, 1763899200000, new Date(), {}, ['2026-11-23T12:00:00Z']]) expect(parseInstant(v)).toBeUndefined();
    expect(parseInstant(`2026-11-23T12:00:00.000Z${' '.repeat(100_000)}`)).toBeUndefined();
    expect('2026-11-23T12:00:00.000Z').toHaveLength(INSTANT_MAX_LENGTH);
  });

  it('summarises an unreadable value short and printable', () => {
    expect(excerpt('x'.repeat(300))).toHaveLength(40);
    expect(excerpt('a\nb\u0000c')).toBe('a?b?c');
  });
});
