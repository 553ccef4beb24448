import fc from 'fast-check';
import { assessProbes, judgeZone, provenSince, probeZoneKey } from '../../src/core/probeHealth';
import type { Observation, ProbeObservation, ProbeRound } from '../../src/core/types';
import { NOW, VPC, at, config, decideAt, failedOverTags, observation, standardInventory, table, targetsAfter, withTable } from './fixtures';

const A = 'us-east-1a';
const B = 'us-east-1b';
const C = 'us-east-1c';
const rules = { probeBadRounds: 2, probeWindowRounds: 3, probeFreshSeconds: 180, probeLagSeconds: 120 };
const MIN = 60;

/** A metric datum for the minute `minutesAgo` before NOW's minute. */
const datum = (minutesAgo: number, failed: boolean): ProbeRound => ({ at: at(-minutesAgo * MIN), failed, rounds: 1, roundsFailed: failed ? 1 : 0, source: 'metric' });
const event = (secondsAgo: number, roundsFailed: number, rounds = 3): ProbeRound => ({ at: at(-secondsAgo), failed: roundsFailed > 0, rounds, roundsFailed, source: 'event' });
const okMinutes = (from: number, to = 0): ProbeRound[] => Array.from({ length: from - to + 1 }, (_, i) => datum(from - i, false));

function probes(zones: Record<string, readonly ProbeRound[]>, vpcId = VPC): ProbeObservation {
  return { start: at(-180 * MIN), end: at(60), zones: new Map(Object.entries(zones).map(([az, r]) => [probeZoneKey(vpcId, az), r])) };
}
const withProbes = (obs: Observation, p: ProbeObservation): Observation => ({ ...obs, probes: p });

describe('one AZ judged from its own probes', () => {
  it('a failing verdict event with 3 of 3 failed rounds is bad at once (M=2 of N=3 rounds)', () => {
    const z = judgeZone(VPC, A, [...okMinutes(5, 1), event(10, 3)], NOW, rules);
    expect(z.verdict).toBe('bad');
    expect([z.roundsFailed, z.roundsCounted]).toEqual([3, 3]);
    expect(z.failingSince).toEqual(at(-10));
  });

  it('one failed metric datum (one round) after good ones is not yet bad: unknown, never ok', () => {
    const z = judgeZone(VPC, A, [...okMinutes(5, 1), datum(0, true)], NOW, rules);
    expect(z.verdict).toBe('unknown');
    expect(z.roundsFailed).toBe(1);
  });

  it('two failed minutes out of the last three are bad', () => {
    expect(judgeZone(VPC, A, [...okMinutes(5, 2), datum(1, true), datum(0, true)], NOW, rules).verdict).toBe('bad');
  });

  it('a newest invocation older than PROBE_FRESH_SECONDS is unknown, whatever it said', () => {
    expect(judgeZone(VPC, A, [datum(5, true), datum(4, true)], NOW, rules).verdict).toBe('unknown');
    expect(judgeZone(VPC, A, okMinutes(10, 4), NOW, rules).verdict).toBe('unknown');
  });

  it('a verdict dated a few seconds ahead (the probe host\'s clock) still counts; one far ahead does not', () => {
    expect(judgeZone(VPC, A, [...okMinutes(5, 1), event(-5, 3)], NOW, rules).verdict).toBe('bad');
    expect(judgeZone(VPC, A, [...okMinutes(5, 1), event(-120, 3)], NOW, rules).last?.source).toBe('metric');
  });

  it('the event and the metric datum of the same invocation are one round, the event winning', () => {
    const z = judgeZone(VPC, A, [...okMinutes(5, 1), datum(0, true), event(0, 3)], NOW, rules);
    expect(z.last?.source).toBe('event');
    expect(z.roundsCounted).toBe(3);
  });
});

describe('proof of recovery: the unbroken run of successful minutes', () => {
  it('starts at the first ok minute after the last failure and needs every minute up to now - lag', () => {
    const rounds = [datum(20, true), ...okMinutes(19, 2)];
    expect(provenSince(rounds, NOW, rules)).toEqual(at(-19 * MIN));
  });

  it('a missing minute breaks it: the proof restarts after the gap', () => {
    const rounds = [...okMinutes(20, 11), ...okMinutes(9, 2)];
    expect(provenSince(rounds, NOW, rules)).toEqual(at(-9 * MIN));
  });

  it('no datum for the newest required minute: no proof at all', () => {
    expect(provenSince(okMinutes(20, 3), NOW, rules)).toBeUndefined();
  });

  it('a failure newer than the lag (an event, or an early datum) voids the proof', () => {
    expect(provenSince([...okMinutes(20, 2), event(20, 3)], NOW, rules)).toBeUndefined();
  });
});

describe('the VPC rule: corroboration by the other AZs, else the static-stability guard', () => {
  it('a failing AZ counts when every other probed AZ succeeded in the same minute or later', () => {
    const r = assessProbes(probes({ [A]: [...okMinutes(5, 1), event(10, 3)], [B]: okMinutes(5, 0), [C]: okMinutes(5, 0) }), NOW, rules);
    expect(r.zones.find((z) => z.az === A)?.corroborated).toBe(true);
    expect(r.guarded).toEqual([]);
  });

  it('successes only from before the failure began do not vouch: guarded, and the finding says why', () => {
    // The failure began in the minute before NOW's (the event is 10 s old); B's last success is older.
    const r = assessProbes(probes({ [A]: [...okMinutes(5, 1), event(10, 3)], [B]: okMinutes(5, 2), [C]: okMinutes(5, 0) }), NOW, rules);
    expect(r.zones.find((z) => z.az === A)?.corroborated).toBe(false);
    expect(r.guarded.map((g) => g.message)).toEqual([expect.stringContaining('no other AZ has a fresh success')]);
  });

  it('every AZ failing is the internet or the targets: guarded, said so', () => {
    const fail = [...okMinutes(5, 1), event(10, 3)];
    const r = assessProbes(probes({ [A]: fail, [B]: fail, [C]: fail }), NOW, rules);
    expect(r.zones.every((z) => !z.corroborated)).toBe(true);
    expect(r.guarded).toEqual([{ vpcId: VPC, message: expect.stringContaining('every probed AZ') }]);
  });

  it('an AZ with no probe data in the window does not vote; a lone probed AZ is never corroborated', () => {
    const r = assessProbes(probes({ [A]: [...okMinutes(5, 1), event(10, 3)], [B]: [], [C]: [] }), NOW, rules);
    expect(r.zones.find((z) => z.az === A)?.corroborated).toBe(false);
  });
});

describe('health and plan with probes', () => {
  const cfg = config({ probes: 'on' });

  it('a corroborated failing AZ is a soft signal against its gateway, and its table fails over', () => {
    const obs = withProbes(observation(standardInventory()), probes({ [A]: [...okMinutes(5, 1), event(10, 3)], [B]: okMinutes(5, 0), [C]: okMinutes(5, 0) }));
    const { health, plan } = decideAt(obs, cfg);
    expect(health.gateways.get('nat-a')?.soft).toBe('bad');
    expect(health.gateways.get('nat-a')?.softSignals.map((s) => s.kind)).toEqual(['probe-failures']);
    const rtbA = standardInventory().routeTables.find((t) => t.id === 'rtb-a');
    expect(targetsAfter(plan, rtbA!).v4).not.toBe('nat-a');
  });

  it('without corroboration nothing moves and the plan carries the guard finding', () => {
    const obs = withProbes(observation(standardInventory()), probes({ [A]: [...okMinutes(5, 1), event(10, 3)], [B]: okMinutes(5, 2), [C]: okMinutes(5, 2) }));
    const { plan } = decideAt(obs, cfg);
    expect(plan.actions.filter((a) => a.routes.length > 0)).toEqual([]);
    expect(plan.findings.filter((f) => f.kind === 'static-stability-guard').map((f) => f.vpcId)).toEqual([VPC]);
  });

  const away = () => withTable(standardInventory(), table('rtb-a', { subnetAzs: [A], v4: 'nat-b', tags: failedOverTags({ homeNat: 'nat-a', since: -3600, homeOkSince: -3000 }) }));
  const restores = (obs: Observation, c = cfg) => decideAt(obs, c).plan.actions.some((a) => a.routeTableId === 'rtb-a' && a.transition === 'restore');

  it('with probes, a quiet home whose probes fail is not restored, however long the hold-down has run', () => {
    const obs = withProbes(observation(away()), probes({ [A]: [...okMinutes(30, 1), datum(0, true)], [B]: okMinutes(30, 0), [C]: okMinutes(30, 0) }));
    expect(restores(obs)).toBe(false);
  });

  it('with probes and no hold-down at all (RESTORE_HOLD_DOWN_SECONDS=0), an unproven home is still not restored', () => {
    const obs = withProbes(observation(away()), probes({ [A]: [], [B]: okMinutes(30, 0), [C]: okMinutes(30, 0) }));
    expect(restores(obs, config({ probes: 'on', restoreHoldDownSeconds: 0 }))).toBe(false);
  });

  it('with probes, a home proven for the whole hold-down is restored, and the reason says so', () => {
    const obs = withProbes(observation(away()), probes({ [A]: okMinutes(30, 0), [B]: okMinutes(30, 0), [C]: okMinutes(30, 0) }));
    const a = decideAt(obs, cfg).plan.actions.find((x) => x.routeTableId === 'rtb-a');
    expect(a?.transition).toBe('restore');
    expect(a?.reasons.join(' ')).toContain('home probes succeeded every minute since');
  });

  it('without probes the hold-down alone restores, and the reason says the recovery is unproven', () => {
    const a = decideAt(observation(away()), config()).plan.actions.find((x) => x.routeTableId === 'rtb-a');
    expect(a?.transition).toBe('restore');
    expect(a?.reasons.join(' ')).toContain('recovery unproven: no probes configured');
  });

  it('a manual restore says whether the probes back it', () => {
    const obs = withProbes(observation(away()), probes({ [A]: [datum(1, true)], [B]: okMinutes(30, 0), [C]: okMinutes(30, 0) }));
    const a = decideAt(obs, cfg, { restoreNow: [{ az: A, force: false, reason: 'ticket 7', by: 'alice' }] }).plan.actions.find((x) => x.routeTableId === 'rtb-a');
    expect(a?.transition).toBe('restore');
    expect(a?.reasons.join(' ')).toContain('recovery unproven');
  });

  // Properties over generated probe histories (minute by minute, the last 40 minutes).
  const history = fc.array(fc.constantFrom<'ok' | 'failed' | 'missing'>('ok', 'ok', 'ok', 'failed', 'missing'), { minLength: 40, maxLength: 40 });
  const toRounds = (h: readonly ('ok' | 'failed' | 'missing')[]): ProbeRound[] =>
    h.flatMap((s, i) => (s === 'missing' ? [] : [datum(h.length - 1 - i, s === 'failed')]));

  it('property: no automatic restore while any home-probe minute in the hold-down is failed or missing', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 1800 }), (h, hold) => {
        const c = config({ probes: 'on', restoreHoldDownSeconds: hold });
        const obs = withProbes(observation(away()), probes({ [A]: toRounds(h), [B]: okMinutes(40, 0), [C]: okMinutes(40, 0) }));
        if (!restores(obs, c)) return true;
        // Restored: every minute from (now - hold) to (now - lag) had a datum, and none in the hold-down failed.
        const lagMinutes = Math.floor(c.probeLagSeconds / 60);
        const holdMinutes = Math.ceil(hold / 60);
        return h.every((s, i) => {
          const ago = h.length - 1 - i;
          if (ago > holdMinutes) return true;
          return s === 'ok' || (s === 'missing' && ago < lagMinutes);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('property: when every probed AZ fails at once, probes move no table', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 170 }), fc.integer({ min: 1, max: 3 })), { minLength: 3, maxLength: 3 }),
        fc.array(history, { minLength: 3, maxLength: 3 }),
        (fails, hs) => {
          // Any history before; the newest invocation of every AZ failed (an event, within the freshness window).
          const zones = Object.fromEntries([A, B, C].map((az, i) => [az, [...toRounds(hs[i]!).filter((r) => r.at < at(-180)), event(fails[i]![0], fails[i]![1])]]));
          const { plan, health } = decideAt(withProbes(observation(standardInventory()), probes(zones)), cfg);
          return plan.actions.every((a) => a.routes.length === 0) && [...health.gateways.values()].every((g) => g.softSignals.every((s) => s.kind !== 'probe-failures'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
