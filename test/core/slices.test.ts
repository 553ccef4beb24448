import fc from 'fast-check';
import { BUCKETS, bucketDigit, bucketOf, MAX_RESCAN_MINUTES, rescanMinutes, sliceAt } from '../../src/core/slices';

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
/** Route table ids as EC2 issues them: `rtb-` and 8 (older) or 17 lowercase hex digits. */
const rtbId = fc.oneof(fc.array(hex, { minLength: 8, maxLength: 8 }), fc.array(hex, { minLength: 17, maxLength: 17 })).map((d) => `rtb-${d.join('')}`);

describe('bucketOf', () => {
  it('is the last hex digit of every EC2 route table id, and the wildcard for it matches that id', () => {
    fc.assert(
      fc.property(rtbId, (id) => {
        const b = bucketOf(id);
        expect(b).toBe(parseInt(id.slice(-1), 16));
        // The filter value the EC2 adapter sends for the bucket (`rtb-*<digit>`), as EC2's `*` reads it.
        expect(new RegExp(`^rtb-.*${bucketDigit(b as number)}$`).test(id)).toBe(true);
      }),
    );
  });

  it('puts an id that does not end in a lowercase hex digit in no bucket', () => {
    for (const id of ['', 'rtb-', 'rtb-0000000G', 'rtb-0000000A', 'rtb-a1 ', 'rtb-ab\n']) expect(bucketOf(id)).toBeUndefined();
  });

  it('refuses a bucket outside 0-15', () => {
    for (const b of [-1, 16, 1.5, NaN]) expect(() => bucketDigit(b)).toThrow(/bucket must be 0-15/);
  });
});

describe('rescanMinutes', () => {
  it('is the smallest power of two that brings a slice within the per-run budget, at most 16; 1 when all fit or slicing is off', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 5_000 }), (tables, perRun) => {
        const k = rescanMinutes(tables, perRun);
        expect([1, 2, 4, 8, 16]).toContain(k);
        if (perRun === 0 || tables <= perRun) return expect(k).toBe(1);
        // Enough: a slice (tables / k) fits, unless k is already the longest period.
        if (k < MAX_RESCAN_MINUTES) expect(tables / k).toBeLessThanOrEqual(perRun);
        // Smallest: half the period would not fit.
        if (k > 1) expect(tables / (k / 2)).toBeGreaterThan(perRun);
      }),
    );
  });

  it('re-reads 1,000 tables every 4 minutes and 10,000 every 16 at the default 250', () => {
    expect(rescanMinutes(250, 250)).toBe(1);
    expect(rescanMinutes(1_000, 250)).toBe(4);
    expect(rescanMinutes(1_001, 250)).toBe(8);
    expect(rescanMinutes(10_000, 250)).toBe(16);
  });
});

describe('sliceAt', () => {
  it('reads every bucket exactly once in any k consecutive minutes, 16/k buckets a minute', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 0, max: 60_000_000 }), (k, start) => {
        const seen: number[] = [];
        for (let m = start; m < start + k; m++) {
          const s = sliceAt(m, k);
          expect(s).toHaveLength(BUCKETS / k);
          seen.push(...s);
        }
        expect(seen.sort((a, b) => a - b)).toEqual([...Array(BUCKETS).keys()]);
      }),
    );
  });

  it('refuses a period that does not divide the 16 buckets', () => {
    for (const k of [0, 3, 5, 32, 1.5]) expect(() => sliceAt(0, k)).toThrow(/k must divide 16/);
  });
});
