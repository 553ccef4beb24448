import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * bench/results.json is written by `npm run bench` and quoted by docs/benchmarks.md. This
 * checks its structure and sanity (fields present, finite numbers, whole call counts), never timing
 * thresholds: the figures are the benchmark's to report, not a test's to assert.
 */
const file = join(__dirname, '..', '..', 'bench', 'results.json');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const results: any = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const count = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;

describe('bench/results.json', () => {
  it('exists (run npm run bench)', () => {
    expect(results).toBeDefined();
    expect(results.command).toBe('npm run bench');
  });

  it('states its assumptions: latency, EC2 buckets, prices', () => {
    expect(results.assumptions.apiLatencyMs).toBe(100);
    expect(results.assumptions.ec2Buckets).toEqual({ nonMutating: { capacity: 100, refillPerSecond: 20 }, mutating: { capacity: 200, refillPerSecond: 5 } });
    for (const v of Object.values(results.assumptions.prices as Record<string, unknown>)) expect(v).toBeDefined();
  });

  it('has a met/not-met verdict for every target', () => {
    for (const k of ['steadyStateCalls', 'failedChanges', 'cloudwatchCost3Gateways', 'bundleSize', 'initTimeOwnCode', 'initTimeWithSdk', 'stackCost3Gateways']) {
      expect(typeof results.targets[k].met).toBe('boolean');
      expect(typeof results.targets[k].target).toBe('string');
    }
  });

  it('1. steady-state calls for 10, 100 and 1,000 tables, by operation, with the SDK cross-check', () => {
    expect(results.steadyState.rows.map((r: { tables: number }) => r.tables)).toEqual([10, 100, 1000]);
    for (const r of results.steadyState.rows) {
      expect(count(r.calls)).toBe(true);
      expect(Object.values(r.byOperation).reduce((a: number, n) => a + (n as number), 0)).toBe(r.calls);
      expect(count(r.retries) && count(r.actions) && count(r.pollMinuteCallsAlarmsOff) && count(r.natGateways)).toBe(true);
      expect(finite(r.durationMs) && finite(r.cpuMs)).toBe(true);
    }
    const sdk = results.steadyState.sdk;
    expect(sdk.tables).toBe(1000);
    expect(count(sdk.sdkCalls)).toBe(true);
    expect(sdk.retrierCalls).toBe(sdk.sdkCalls);
    expect(Object.values(sdk.byCommand).reduce((a: number, n) => a + (n as number), 0)).toBe(sdk.sdkCalls);
  });

  it('2. failover of 3, 50 and 200 tables, ours and naive, with ratios', () => {
    expect(results.failover.map((r: { tables: number }) => r.tables)).toEqual([3, 50, 200]);
    for (const r of results.failover) {
      for (const side of [r.ours, r.naive]) {
        expect(finite(side.firstRunMs) && finite(side.totalMs)).toBe(true);
        for (const k of ['runs', 'calls', 'mutatingCalls', 'retries', 'throttled', 'failedChanges', 'tablesMoved']) expect(count(side[k])).toBe(true);
      }
      expect(finite(r.ratioFirstRun) && finite(r.ratioTotal)).toBe(true);
      expect(count(r.maxChangesPerRun) && count(r.writeConcurrency)).toBe(true);
    }
  });

  it('3. reaction time for 3 and 50 tables per event kind', () => {
    expect(results.reaction.map((r: { event: string; tables: number }) => `${r.event}/${r.tables}`)).toEqual([
      'arc-autoshift/3',
      'arc-autoshift/50',
      'alarm-state-change/3',
      'alarm-state-change/50',
    ]);
    for (const r of results.reaction) expect(finite(r.reactionMs) && count(r.calls) && count(r.failedChanges)).toBe(true);
  });

  it('4. CloudWatch cost for 1, 3 and 6 gateways and the Lambda cost', () => {
    expect(results.cloudwatch.rows.map((r: { gateways: number }) => r.gateways)).toEqual([1, 3, 6]);
    for (const r of results.cloudwatch.rows) {
      expect(count(r.pollMetricsPerMonth) && count(r.alarms) && count(r.alarmMetrics)).toBe(true);
      expect(finite(r.pollUsdPerMonth) && finite(r.alarmUsdPerMonth) && finite(r.describeAlarmsUsdPerMonthBeyondFreeTier)).toBe(true);
    }
    const l = results.lambda;
    expect(l.invocationsPerMonth).toBe(43_200);
    expect(finite(l.billedMsPerRun) && finite(l.requestUsdPerMonth) && finite(l.computeUsdPerMonth) && finite(l.totalUsdPerMonth)).toBe(true);
  });

  it('4b. the whole stack for 3 gateways: every billed item, and a total that is their sum', () => {
    const c = results.cost.stack.threeGateways;
    expect(c.gateways).toBe(3);
    for (const k of ['alarms', 'customMetrics', 'dashboard', 'logs', 'lambda', 'apiRequests']) {
      expect(finite(c.items[k].usd) && c.items[k].usd >= 0).toBe(true);
      expect(typeof c.items[k].basis).toBe('string');
    }
    const sum = Object.values(c.items as Record<string, { usd: number }>).reduce((a, i) => a + i.usd, 0);
    expect(c.totalUsd).toBeCloseTo(sum, 4);
    expect(results.targets.stackCost3Gateways.met).toBe(c.totalUsd <= 2);
    // Measured, not assumed: what a steady-state run writes.
    const run = results.cost.steadyRun;
    expect(count(run.appLogEvents) && count(run.appLogBytes) && count(run.metricSeries)).toBe(true);
  });

  it('5b. cold start and memory before and after bundling the SDK, per function', () => {
    expect(results.sdkBundling.map((b: { function: string }) => b.function)).toEqual(['reconcile', 'manual']);
    for (const b of results.sdkBundling) {
      for (const p of [b.sdkExternal, b.sdkBundled, b.sdkBundledSourceMaps]) {
        expect(count(p.bytes) && count(p.gzipBytes)).toBe(true);
        expect(finite(p.initMsMedian) && finite(p.rssMbMedian) && finite(p.heapUsedMbMedian)).toBe(true);
        expect(p.initMsRuns.length).toBeGreaterThanOrEqual(5);
      }
      expect(b.sdkBundled.bytes).toBeGreaterThan(b.sdkExternal.bytes);
    }
  });

  it('5. bundle size and init time per function, peak memory of a 1,000-table run', () => {
    expect(results.artefacts.map((a: { function: string }) => a.function)).toEqual(['reconcile', 'manual']);
    for (const a of results.artefacts) {
      expect(count(a.bytes) && count(a.gzipBytes)).toBe(true);
      expect(finite(a.initMsMedian) && finite(a.ownInitMsMedian)).toBe(true);
      expect(a.initMsRuns.length).toBeGreaterThanOrEqual(5);
      // The shipped bundle carries the SDK clients it uses.
      expect(a.sdkClients).toEqual(expect.arrayContaining(['@aws-sdk/client-cloudwatch', '@aws-sdk/client-ec2', '@aws-sdk/client-sns']));
    }
    expect(results.memory.tables).toBe(1000);
    expect(finite(results.memory.maxRssMb) && finite(results.memory.peakHeapUsedMb) && finite(results.memory.baselineRssMb)).toBe(true);
  });
});

/**
 * docs/benchmarks.md shows the printed output of `npm run bench`: its deterministic figures
 * (virtual times, call counts, prices) must be the ones in bench/results.json, so a change to the
 * controller that moves them fails here until the page is regenerated.
 */
describe('docs/benchmarks.md quotes bench/results.json', () => {
  const page = readFileSync(join(__dirname, '..', '..', 'docs', 'benchmarks.md'), 'utf8');
  const start = page.indexOf('# Benchmarks');
  // The printed output, up to its Targets table (which states the verdicts in prose).
  const section = page.slice(start, page.indexOf('\n## Targets', start + 1));
  const row = (...cells: Array<string | number>): RegExp =>
    new RegExp(`^\\|\\s*${cells.map((c) => String(c).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*\\|\\s*')}\\s*\\|`, 'm');

  it('has the benchmark output', () => {
    expect(start).toBe(0);
    expect(section).toContain('nat-failover benchmark (simulated region');
  });

  it('quotes the steady-state calls per table count', () => {
    for (const r of results.steadyState.rows) expect(section).toMatch(row(r.tables, r.natGateways, r.calls));
  });

  it('quotes the failover runs and first-run times', () => {
    for (const f of results.failover) expect(section).toMatch(row(f.tables, f.ours.runs, `${f.ours.firstRunMs} ms`));
  });

  it('quotes the reaction times', () => {
    for (const r of results.reaction) expect(section).toMatch(row(r.event, r.tables, `${r.reactionMs} ms`));
  });

  it('quotes the CloudWatch cost per gateway count', () => {
    for (const r of results.cloudwatch.rows) {
      expect(section).toMatch(row(r.gateways, `${r.alarms} (${r.alarmMetrics})`, r.alarmUsdPerMonth.toFixed(2)));
    }
  });
});

/** The whole-stack figure is quoted where a user decides to deploy: the README and the deploy guide. */
describe('the cost figure is quoted from bench/results.json', () => {
  const figure = `$${results.cost.stack.threeGateways.totalUsd.toFixed(2)}/month`;
  for (const file of ['README.md', 'docs/deploy.md', 'docs/organization.md']) {
    it(`${file} quotes ${figure} for 3 gateways`, () => {
      const text = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      expect(text).toContain(`**${figure}** for 3 NAT gateways`);
    });
  }

  it('docs/benchmarks.md lists every item with its amount and the total', () => {
    const page = readFileSync(join(__dirname, '..', '..', 'docs', 'benchmarks.md'), 'utf8');
    for (const [k, v] of Object.entries(results.cost.stack.threeGateways.items as Record<string, { usd: number }>)) {
      expect(page).toMatch(new RegExp(`^\\| \`${k}\` \\| \\$${v.usd.toFixed(2).replace('.', '\\.')} \\|`, 'm'));
    }
    expect(page).toContain(`| **total** | **$${results.cost.stack.threeGateways.totalUsd.toFixed(2)}** |`);
  });
});
