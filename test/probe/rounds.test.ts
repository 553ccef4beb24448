import fc from 'fast-check';
import type { CheckOutcome } from '../../src/probe/check';
import { decide, median, roundFailed, runRounds } from '../../src/probe/rounds';

const check = (ok: boolean, connectMs = 10): CheckOutcome => ({ target: 'tls://x.example', ok, stage: ok ? 'ok' : 'tls', ms: connectMs, ...(ok ? { connectMs } : { error: 'timeout' }) });

/** The rule in words, computed the slow way: the reference for the generated cases. */
function model(failedFlags: readonly boolean[], n: number, m: number): { verdict: 'ok' | 'failed'; rounds: number } {
  if (!failedFlags[0]) return { verdict: 'ok', rounds: 1 };
  let failed = 0;
  for (let i = 0; i < n; i++) {
    if (failedFlags[i]) failed++;
    if (failed >= m) return { verdict: 'failed', rounds: i + 1 };
    if (failed + (n - i - 1) < m) return { verdict: 'ok', rounds: i + 1 };
  }
  return { verdict: 'ok', rounds: n };
}

describe('roundFailed: more than half of the checks failed', () => {
  it.each([
    [[true], false],
    [[false], true],
    [[true, false], false],
    [[false, false], true],
    [[true, false, false], true],
    [[true, true, false], false],
  ])('%j -> %s', (oks, failed) => {
    expect(roundFailed(oks.map((ok) => ({ ok })))).toBe(failed);
  });

  it('is monotone: one more failing check never turns a failed round healthy (generated)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }), fc.nat(), (oks, i) => {
        const j = i % oks.length;
        const worse = oks.map((ok, k) => (k === j ? false : ok));
        if (roundFailed(oks.map((ok) => ({ ok })))) expect(roundFailed(worse.map((ok) => ({ ok })))).toBe(true);
      }),
    );
  });
});

describe('runRounds: M of N, confirmation only after a failed round', () => {
  it('a healthy first round settles it: one round, no sleep', async () => {
    const sleep = jest.fn(async () => undefined);
    const r = await runRounds({ round: async () => [check(true, 12), check(true, 30), check(false)], sleep, now: () => new Date(0) }, { rounds: 3, failedRounds: 2, roundGapMs: 1000 });
    expect(r).toMatchObject({ verdict: 'ok', roundsRun: 1, roundsFailed: 0, latencyMs: 21 });
    expect(sleep).not.toHaveBeenCalled();
  });

  it('matches the rule for every outcome sequence and M <= N (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }), fc.integer({ min: 0, max: 5000 }))),
        async ([n, m, flags, gap]) => {
          let i = 0;
          const sleeps: number[] = [];
          const r = await runRounds(
            { round: async () => [check(!flags[i++])], sleep: async (ms) => void sleeps.push(ms), now: () => new Date(0) },
            { rounds: n, failedRounds: m, roundGapMs: gap },
          );
          const expected = model(flags, n, m);
          expect({ verdict: r.verdict, rounds: r.roundsRun }).toStrictEqual(expected);
          expect(r.roundsRun).toBeLessThanOrEqual(n);
          expect(r.roundsFailed).toBe(flags.slice(0, r.roundsRun).filter(Boolean).length);
          // Sleeps only between rounds, never before the first or after the last.
          expect(sleeps).toStrictEqual(gap > 0 ? Array(r.roundsRun - 1).fill(gap) : []);
          // The verdict is failed exactly when M rounds failed.
          expect(r.verdict === 'failed').toBe(r.roundsFailed >= m);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decide is undecided only while M is still reachable and not yet reached', () => {
    expect(decide([], { rounds: 3, failedRounds: 2 })).toBeUndefined();
    expect(decide([true], { rounds: 3, failedRounds: 2 })).toBeUndefined();
    expect(decide([true, false], { rounds: 3, failedRounds: 2 })).toBeUndefined();
    expect(decide([true, false, false], { rounds: 3, failedRounds: 2 })).toBe('ok');
    expect(decide([true, true], { rounds: 3, failedRounds: 2 })).toBe('failed');
    expect(decide([true], { rounds: 1, failedRounds: 1 })).toBe('failed');
  });

  it('reports the first round start and the last round, and no latency when nothing succeeded', async () => {
    let t = 1_000;
    const r = await runRounds({ round: async () => [check(false)], sleep: async () => undefined, now: () => new Date((t += 500)) }, { rounds: 3, failedRounds: 2, roundGapMs: 0 });
    expect(r.at.getTime()).toBe(1_500);
    expect(r).toMatchObject({ verdict: 'failed', roundsRun: 2, roundsFailed: 2 });
    expect(r.latencyMs).toBeUndefined();
    expect(r.lastRound).toHaveLength(1);
  });

  it('median', () => {
    expect(median([])).toBeUndefined();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([1, 2, 3, 10])).toBe(2.5);
  });
});
