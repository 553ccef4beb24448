import type { CheckOutcome } from './check';

/**
 * A round checks every target once, in parallel. It fails when more than half of its checks fail:
 * one sick target among three is the target's problem, not the path's. (Every AZ's probe sees a
 * sick target alike; reconcile's cross-AZ guard is there for that case, this rule keeps one flaky
 * target from raising verdicts at all.)
 */
export function roundFailed(results: readonly Pick<CheckOutcome, 'ok'>[]): boolean {
  const failures = results.filter((r) => !r.ok).length;
  return failures * 2 > results.length;
}

export interface MofN {
  /** N: at most this many rounds, the first included. */
  readonly rounds: number;
  /** M: failed once this many rounds failed. */
  readonly failedRounds: number;
}

/**
 * The verdict so far, after the rounds run (true = failed), or `undefined` while undecided.
 * A healthy first round settles it at once (one round per healthy invocation: nothing to confirm);
 * after a failed first round, rounds continue until M failed (failed) or M can no longer be reached
 * in N (ok).
 */
export function decide(outcomes: readonly boolean[], rule: MofN): 'ok' | 'failed' | undefined {
  if (outcomes.length === 0) return undefined;
  if (outcomes[0] === false) return 'ok';
  const failed = outcomes.filter(Boolean).length;
  if (failed >= rule.failedRounds) return 'failed';
  if (failed + (rule.rounds - outcomes.length) < rule.failedRounds) return 'ok';
  return undefined;
}

export interface RoundsResult {
  readonly verdict: 'ok' | 'failed';
  readonly roundsRun: number;
  readonly roundsFailed: number;
  /** Start of the first round. */
  readonly at: Date;
  readonly lastRound: readonly CheckOutcome[];
  /** Median connectMs over every successful check of every round; undefined if none succeeded. */
  readonly latencyMs?: number;
}

export interface RoundDeps {
  readonly round: () => Promise<readonly CheckOutcome[]>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Runs rounds until {@link decide} settles (at most N); sleeps only between confirmation rounds. */
export async function runRounds(deps: RoundDeps, rule: MofN & { readonly roundGapMs: number }): Promise<RoundsResult> {
  const at = deps.now();
  const outcomes: boolean[] = [];
  const connects: number[] = [];
  let last: readonly CheckOutcome[] = [];
  let verdict: 'ok' | 'failed' | undefined;
  while (verdict === undefined) {
    if (outcomes.length > 0 && rule.roundGapMs > 0) await deps.sleep(rule.roundGapMs);
    last = await deps.round();
    for (const r of last) if (r.ok && r.connectMs !== undefined) connects.push(r.connectMs);
    outcomes.push(roundFailed(last));
    verdict = decide(outcomes, rule);
  }
  const latencyMs = median(connects);
  return {
    verdict,
    roundsRun: outcomes.length,
    roundsFailed: outcomes.filter(Boolean).length,
    at,
    lastRound: last,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
  };
}
