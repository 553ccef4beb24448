/**
 * The reliability suite: every scenario of the library runs minute by minute on the simulated
 * region through the real controller, and the safety invariants are checked after every run.
 */
import { runScenario, type ScenarioResult } from '../../src/sim/runner';
import type { Scenario } from '../../src/sim/scenario';
import { SCENARIOS } from '../../src/sim/scenarios';
import { suiteSummary } from '../../src/sim/summary';

const results: ScenarioResult[] = [];
const peers = new Map<string, ScenarioResult>();

afterAll(() => {
  if (results.length > 0) process.stdout.write(`\nScenario suite (simulated region, real controller)\n${suiteSummary(results)}\n\n`);
});

describe('scenario library', () => {
  it('has at least 20 uniquely named scenarios, each with an expected outcome', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) expect(s.expect.length).toBeGreaterThan(0);
  });
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  it(`${scenario.summary}`, async () => {
    const r = await runScenario(scenario);
    results.push(r);
    expect(r.violations.map((v) => `T+${v.minute}m ${v.invariant}: ${v.message}`)).toEqual([]);
    expect(r.expectations.filter((e) => !e.ok).map((e) => `${e.text}: ${e.detail}`)).toEqual([]);
    expect(r.steps.filter((s) => s.outcome === 'error').map((s) => `T+${s.minute}m ${s.error}`)).toEqual([]);
    expect(r.invariantChecks).toBeGreaterThan(r.steps.length);
  });

  it('makes no more needless changes and misses no more failovers than the peers\' rule', async () => {
    const ours = results.find((r) => r.scenario.name === scenario.name) ?? (await runScenario(scenario));
    const p = await runScenario(scenario, { policy: 'baseline' });
    peers.set(scenario.name, p);
    expect(ours.measures.needless).toBeLessThanOrEqual(p.measures.needless);
    expect(ours.measures.missed).toBeLessThanOrEqual(p.measures.missed);
  });
});

describe('the invariant checker is not a rubber stamp', () => {
  it('flags the peers\' rule restoring inside the hold-down and into gateways it saw failing', async () => {
    const flapping = SCENARIOS.find((s) => s.name === 'flapping-gateway') as Scenario;
    const p = peers.get('flapping-gateway') ?? (await runScenario(flapping, { policy: 'baseline' }));
    const kinds = new Set(p.violations.map((v) => v.invariant));
    expect(kinds.has('hold-down')).toBe(true);
    expect(kinds.has('healthy-target')).toBe(true);
  });

  it('flags a write to a gateway outside the egress allow-list (the peers\' rule knows no list)', async () => {
    // The allow-list leaves out nat-b, the gateway AZ order puts first: ours goes to nat-c.
    const base = SCENARIOS.find((s) => s.name === 'allowlist-target-outside') as Scenario;
    const fenced: Scenario = { ...base, config: { egressAllowList: ['192.0.2.1/32', '192.0.2.3/32'] }, expect: [] };
    const p = await runScenario(fenced, { policy: 'baseline' });
    expect(p.violations.filter((v) => v.invariant === 'allow-list').map((v) => v.message)).toContain(
      'rtb-a1 0.0.0.0/0 -> nat-b, whose IPs 192.0.2.2 are outside the egress allow-list',
    );
    const ours = await runScenario(fenced);
    expect(ours.violations).toEqual([]);
  });

  it('fails an expectation that did not happen', async () => {
    const base = SCENARIOS.find((s) => s.name === 'nat-deleted') as Scenario;
    const r = await runScenario({ ...base, expect: [{ kind: 'no-route-change' }, { kind: 'home', by: 10 }] });
    expect(r.expectations.map((e) => e.ok)).toEqual([false, false]);
  });
});

describe('blackhole memory', () => {
  // A blackhole is only seen through routes that still point at the gateway. Once every table has
  // moved away the evidence is gone; the tables remember it in their tags, so the controller does
  // not restore into the still-blackholed gateway after the hold-down (this was a known gap).
  it('a blackhole that outlasts the hold-down is not restored into', async () => {
    const r = await runScenario({
      name: 'long-blackhole',
      summary: 'routes to nat-a stay blackhole for 25 minutes',
      minutes: 30,
      faults: [{ at: 5, kind: 'blackhole', nat: 'nat-a', until: 30 }],
      expect: [
        { kind: 'failover', az: 'us-east-1a', from: 5, within: 1 },
        { kind: 'target', table: 'rtb-a1', minute: 30, target: 'nat-b' },
      ],
    });
    expect(r.violations.map((v) => `T+${v.minute}m ${v.invariant}: ${v.message}`)).toEqual([]);
    expect(r.expectations.filter((e) => !e.ok).map((e) => `${e.text}: ${e.detail}`)).toEqual([]);
    // One failover, no restore into the blackhole and no second failover.
    expect(r.steps.flatMap((s) => s.changes.filter((c) => c.table === 'rtb-a1').map((c) => `T+${s.minute}m ${c.transition}`))).toEqual(['T+5m failover']);
  });
});
