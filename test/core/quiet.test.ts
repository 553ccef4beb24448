/**
 * whyNotQuiet (src/core/quiet.ts): a scheduled run that read a slice of the route tables may end
 * there only when nothing is unwell and nothing is to be done. One test per reason, then the family:
 * for a generated healthy, settled world, any single unwell thing injected makes it say why not.
 */
import fc from 'fast-check';
import { IPV4_DEFAULT, NAT64_PREFIX, TAGS } from '../../src/core/constants';
import { whyNotQuiet } from '../../src/core/quiet';
import { pinValue } from '../../src/core/state';
import type { HealthReport, Inventory, Observation, ProbeRound, RouteTable, ZoneProbeState } from '../../src/core/types';
import {
  applyPlan,
  config,
  decideAt,
  DROPPING,
  failedOverTags,
  healthyMetrics,
  metricWindow,
  NOW,
  natGw,
  observation,
  type ObsSpec,
  series,
  standardInventory,
  table,
  withNat,
  withZone,
  ZONES,
} from './fixtures';

/** The world after runs that wrote everything they planned: the next plan has nothing to do. */
function settle(inv: Inventory, spec: ObsSpec = {}): Inventory {
  let cur = inv;
  for (let i = 0; i < 5; i++) {
    const { plan } = decideAt(observation(cur, spec));
    if (plan.actions.length === 0) return cur;
    cur = applyPlan(cur, plan);
  }
  throw new Error('the world does not settle');
}

const why = (obs: Observation, pending = 0, health?: (h: HealthReport) => HealthReport): string | undefined => {
  const d = decideAt(obs);
  return whyNotQuiet(obs, health ? health(d.health) : d.health, d.plan, pending);
};

const QUIET = settle(standardInventory());
const round = (failed: boolean): ProbeRound => ({ at: NOW, failed, rounds: 1, roundsFailed: failed ? 1 : 0, source: 'metric' });

describe('whyNotQuiet: one reason each', () => {
  it('is quiet on a healthy, settled world (metrics read or not)', () => {
    expect(why(observation(QUIET))).toBeUndefined();
    expect(why(observation(QUIET, { metrics: healthyMetrics() }))).toBeUndefined();
  });

  it('a signal source not read', () => {
    expect(why(observation(QUIET, { unreadSignals: [{ source: 'alarms', error: 'AccessDenied' }] }))).toBe('signal sources not read: alarms');
  });

  it('evacuation memory or managed alarms to write', () => {
    expect(why(observation(QUIET), 2)).toBe('the evacuation memory or the managed alarms need writing');
  });

  it('an open evacuation', () => {
    const evacuations = [{ az: 'us-east-1b', source: 'arc-zonal-shift', id: 'shift-1', since: NOW }];
    expect(why(observation(QUIET, { evacuations }))).toBe('an evacuation is open (us-east-1b)');
  });

  it('a gateway alarm in ALARM', () => {
    const alarms = [{ natGatewayId: 'nat-c', alarmName: 'nat-failover-nat-c-packet-drops', since: NOW }];
    expect(why(observation(QUIET, { alarms }))).toBe('gateway alarm nat-failover-nat-c-packet-drops is in ALARM');
  });

  it('an AZ in use that is impaired or unavailable; a notice (information, constrained), or an AZ with no gateway and no table, is no reason', () => {
    expect(why(observation(withZone(QUIET, 'us-east-1a', 'impaired')))).toBe('zone us-east-1a is impaired');
    expect(why(observation(withZone(QUIET, 'us-east-1c', 'unavailable')))).toBe('zone us-east-1c is unavailable');
    expect(why(observation(withZone(QUIET, 'us-east-1c', 'information')))).toBeUndefined();
    expect(why(observation(withZone(QUIET, 'us-east-1b', 'constrained')))).toBeUndefined();
    const spare = { ...QUIET, zones: [...ZONES, { name: 'us-east-1d', id: 'use1-az4', state: 'impaired' as const }] };
    expect(why(observation(spare))).toBeUndefined();
  });

  it('a gateway that is not available', () => {
    for (const state of ['pending', 'failed', 'deleting', 'deleted'] as const) {
      expect(why(observation(withNat(QUIET, 'nat-b', { state })))).toBe(`gateway nat-b is ${state}`);
    }
  });

  it('a gateway with a hard signal while it says available: its routes are blackhole', () => {
    const inv: Inventory = {
      ...QUIET,
      routeTables: QUIET.routeTables.map((t) => (t.id === 'rtb-a' ? { ...t, routes: t.routes.map((r) => (r.target.id === 'nat-a' ? { ...r, state: 'blackhole' as const } : r)) } : t)),
    };
    expect(why(observation(inv))).toBe('gateway nat-a has hard signals');
  });

  it('a gateway whose soft signals are bad', () => {
    expect(why(observation(QUIET, { metrics: healthyMetrics({ 'nat-b': series(3, DROPPING) }) }))).toBe('gateway nat-b has soft signals');
  });

  it('the static-stability guard holding (most gateways soft-bad at once)', () => {
    const metrics = metricWindow({ 'nat-a': series(3, DROPPING), 'nat-b': series(3, DROPPING), 'nat-c': series(0, DROPPING) });
    expect(why(observation(QUIET, { metrics }))).toBe('the static-stability guard holds in vpc-11111111');
  });

  it('a failing probe', () => {
    const failing: ZoneProbeState = {
      vpcId: 'vpc-11111111',
      az: 'us-east-1a',
      verdict: 'ok',
      last: round(true),
      roundsFailed: 1,
      roundsCounted: 5,
      failingSince: NOW,
      provenSince: undefined,
      corroborated: false,
    };
    expect(why(observation(QUIET), 0, (h) => ({ ...h, probes: { zones: [failing], guarded: [] } }))).toBe('the probe of us-east-1a in vpc-11111111 is failing');
    expect(why(observation(QUIET), 0, (h) => ({ ...h, probes: { zones: [{ ...failing, verdict: 'bad', last: round(false) }], guarded: [] } }))).toBe(
      'the probe of us-east-1a in vpc-11111111 is failing',
    );
    expect(why(observation(QUIET), 0, (h) => ({ ...h, probes: { zones: [{ ...failing, last: round(false) }], guarded: [] } }))).toBeUndefined();
  });

  it('a plan with something to do (a table found away from home: adopted, tags to write)', () => {
    const inv = { ...QUIET, routeTables: QUIET.routeTables.map((t) => (t.id === 'rtb-a' ? { ...t, routes: t.routes.map((r) => (r.destination === IPV4_DEFAULT ? { ...r, target: { kind: 'nat' as const, id: 'nat-b' } } : r)) } : t)) };
    expect(why(observation(inv))).toBe('1 tables to change');
  });

  it('a table away from home with nothing to do this run (in its hold-down), or pinned', () => {
    const away = settle({
      ...QUIET,
      routeTables: [
        ...QUIET.routeTables.filter((t) => t.id !== 'rtb-a'),
        table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: failedOverTags({ homeNat: 'nat-a', since: -120, homeOkSince: -60 }) }),
      ],
    });
    expect(decideAt(observation(away)).plan.actions).toStrictEqual([]);
    expect(why(observation(away))).toBe('rtb-a is failed-over');

    const pin = pinValue({ awayFromAz: 'us-east-1b', until: new Date(NOW.getTime() + 3_600_000), by: 'operator', target: undefined, reason: 'maintenance' });
    const pinned = settle({ ...QUIET, routeTables: QUIET.routeTables.map((t) => (t.id === 'rtb-b' ? { ...t, tags: { ...t.tags, [TAGS.pin]: pin, [TAGS.pinReason]: 'maintenance' } } : t)) });
    expect(decideAt(observation(pinned)).plan.actions).toStrictEqual([]);
    expect(why(observation(pinned))).toBe('rtb-b is pinned');
  });
});

// ------------------------------------------------------------------------------------------------
// The family: any one unwell thing on any healthy, settled world.
// ------------------------------------------------------------------------------------------------

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const NATS = ['nat-a', 'nat-b', 'nat-c'] as const;

/** A healthy world: 2 or 3 AZs, 1-4 tables per AZ at home (some dual-stack), settled. */
const healthyWorld = fc
  .record({ azs: fc.integer({ min: 2, max: 3 }), perAz: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }), nat64: fc.boolean(), metrics: fc.boolean() })
  .map(({ azs, perAz, nat64, metrics }) => {
    const tables: RouteTable[] = [];
    for (let z = 0; z < azs; z++) {
      for (let i = 0; i < (perAz[z] ?? 1); i++) tables.push(table(`rtb-${'abc'[z]}${i}`, { subnetAzs: [AZS[z]!], v4: NATS[z], ...(nat64 ? { v6: NATS[z] } : {}) }));
    }
    const inv: Inventory = { zones: ZONES.slice(0, azs), natGateways: NATS.slice(0, azs).map((n, z) => natGw(n, AZS[z])), routeTables: tables };
    const spec: ObsSpec = metrics ? { metrics: healthyMetrics({}, [...NATS.slice(0, azs)]) } : {};
    return { azs, spec, inv: settle(inv, spec) };
  });

type World = { readonly azs: number; readonly spec: ObsSpec; readonly inv: Inventory };
/** One unwell thing, as what the run would observe and the signal writes it would need. */
type Injection = (w: World, pick: number) => { obs: Observation; pending?: number; health?: (h: HealthReport) => HealthReport };

const nth = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;
const INJECTIONS: Record<string, Injection> = {
  'unread source': (w, i) => ({ obs: observation(w.inv, { ...w.spec, unreadSignals: [{ source: nth(['metrics', 'alarms', 'probes'] as const, i), error: 'denied' }] }) }),
  'signal writes pending': (w, i) => ({ obs: observation(w.inv, w.spec), pending: 1 + (i % 5) }),
  evacuation: (w, i) => ({ obs: observation(w.inv, { ...w.spec, evacuations: [{ az: nth(AZS.slice(0, w.azs), i), source: 'aws-health', id: 'e', since: NOW }] }) }),
  alarm: (w, i) => ({ obs: observation(w.inv, { ...w.spec, alarms: [{ natGatewayId: nth(NATS.slice(0, w.azs), i), alarmName: 'a', since: NOW }] }) }),
  'zone state': (w, i) => ({ obs: observation(withZone(w.inv, nth(AZS.slice(0, w.azs), i), nth(['impaired', 'unavailable'] as const, i >> 2)), w.spec) }),
  'gateway state': (w, i) => ({ obs: observation(withNat(w.inv, nth(NATS.slice(0, w.azs), i), { state: nth(['pending', 'failed', 'deleting', 'deleted'] as const, i >> 2) }), w.spec) }),
  blackhole: (w, i) => {
    const nat = nth(NATS.slice(0, w.azs), i);
    const routeTables = w.inv.routeTables.map((t) => ({ ...t, routes: t.routes.map((r) => (r.target.kind === 'nat' && r.target.id === nat ? { ...r, state: 'blackhole' as const } : r)) }));
    return { obs: observation({ ...w.inv, routeTables }, w.spec) };
  },
  'soft bad': (w, i) => ({ obs: observation(w.inv, { ...w.spec, metrics: healthyMetrics({ [nth(NATS.slice(0, w.azs), i)]: series(3 + (i % 3), DROPPING) }, [...NATS.slice(0, w.azs)]) }) }),
  'probe failing': (w, i) => ({
    obs: observation(w.inv, w.spec),
    health: (h) => ({
      ...h,
      probes: {
        zones: [{ vpcId: 'vpc-11111111', az: nth(AZS.slice(0, w.azs), i), verdict: i % 2 === 0 ? 'bad' : 'unknown', last: round(true), roundsFailed: 1, roundsCounted: 5, failingSince: NOW, provenSince: undefined, corroborated: i % 2 === 0 }],
        guarded: [],
      },
    }),
  }),
  drift: (w, i) => {
    const t = nth(w.inv.routeTables, i);
    const home = t.routes.find((r) => r.destination === IPV4_DEFAULT)?.target.id;
    const to = nth(NATS.slice(0, w.azs).filter((n) => n !== home), i >> 3);
    const drifted = { ...t, routes: t.routes.map((r) => (r.destination === IPV4_DEFAULT || (r.destination === NAT64_PREFIX && i % 2 === 0) ? { ...r, target: { kind: 'nat' as const, id: to } } : r)) };
    return { obs: observation({ ...w.inv, routeTables: w.inv.routeTables.map((x) => (x.id === t.id ? drifted : x)) }, w.spec) };
  },
  pin: (w, i) => {
    const t = nth(w.inv.routeTables, i);
    const pin = pinValue({ awayFromAz: nth(AZS.slice(0, w.azs), i >> 3), until: new Date(NOW.getTime() + 3_600_000), by: 'operator', target: undefined, reason: 'r' });
    return { obs: observation({ ...w.inv, routeTables: w.inv.routeTables.map((x) => (x.id === t.id ? { ...x, tags: { ...x.tags, [TAGS.pin]: pin, [TAGS.pinReason]: 'r' } } : x)) }, w.spec) };
  },
};

describe('whyNotQuiet on generated worlds', () => {
  it('a healthy, settled world is quiet; any single unwell thing injected into it is a reason', () => {
    fc.assert(
      fc.property(healthyWorld, fc.constantFrom(...Object.keys(INJECTIONS)), fc.nat({ max: 1000 }), (w, kind, pick) => {
        const d = decideAt(observation(w.inv, w.spec));
        expect(whyNotQuiet(observation(w.inv, w.spec), d.health, d.plan, 0)).toBeUndefined();
        const inj = (INJECTIONS[kind] as Injection)(w, pick);
        const after = decideAt(inj.obs, config());
        const reason = whyNotQuiet(inj.obs, inj.health ? inj.health(after.health) : after.health, after.plan, inj.pending ?? 0);
        expect({ kind, reason: typeof reason }).toStrictEqual({ kind, reason: 'string' });
      }),
      { numRuns: 400 },
    );
  });
});
