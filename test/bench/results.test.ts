import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUCKETS, rescanMinutes } from '../../src/core/slices';

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
    for (const k of ['steadyStateCalls', 'failedChanges', 'oneAzDead1000', 'cloudwatchCost3Gateways', 'bundleSize', 'initTimeOwnCode', 'initTimeWithSdk', 'stackCost3Gateways', 'steadyBytesParsed1000Tables', 'steadyFitsFunctionMemory10000Tables', 'grayFailureProbes']) {
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

  it('1b. the SDK cross-check is a warm container\'s run, with the container\'s first run beside it', () => {
    const sdk = results.steadyState.sdk;
    expect(count(sdk.cold.sdkCalls)).toBe(true);
    expect(Object.values(sdk.cold.byCommand).reduce((a: number, n) => a + (n as number), 0)).toBe(sdk.cold.sdkCalls);
    // The subnet cache: the first run reads the subnets, the warm one does not.
    expect(sdk.cold.byCommand.DescribeSubnets).toBeGreaterThanOrEqual(1);
    expect(sdk.byCommand.DescribeSubnets).toBeUndefined();
  });

  it('6. steady runs on the real SDK path at 1,000 and 10,000 tables: bytes parsed, CPU, peak RSS, and verdicts that match them', () => {
    const rows = results.steady.realSdk;
    expect(rows.map((r: { tables: number }) => r.tables)).toEqual([1000, 10000]);
    for (const r of rows) {
      expect(count(r.bytesParsed) && r.bytesParsed > 0).toBe(true);
      expect(finite(r.cpuMs) && finite(r.peakRssMb) && r.peakRssMb > 0).toBe(true);
      expect(Object.values(r.bytesByOperation).reduce((a: number, n) => a + (n as number), 0)).toBe(r.bytesParsed);
      for (const run of [r.cold, r.full]) expect(count(run.bytesParsed) && count(run.bytesParsedCompact) && finite(run.cpuMs)).toBe(true);
      expect(r.memorySizeMb).toBe(256);
      expect(r.nodeFlags).toEqual(['--expose-gc', '--enable-source-maps', '--max-semi-space-size=12', '--max-old-space-size=231']);
      for (const k of ['bytesParsed', 'cpuMs', 'peakRssMb']) expect(typeof r.about[k]).toBe('string');
    }
    const [small, large] = rows;
    expect(results.targets.steadyBytesParsed1000Tables.met).toBe(small.quiet.runs.every((q: { bytesParsed: number }) => q.bytesParsed <= 1024 * 1024));
    expect(results.targets.steadyFitsFunctionMemory10000Tables.met).toBe(large.peakRssMb <= large.memorySizeMb);
  });

  it('6b. the steady figures are the worst quiet run of a full re-read cycle: every bucket read once, every table once', () => {
    for (const r of results.steady.realSdk) {
      const q = r.quiet;
      // k = rescanMinutes(tables, TABLES_READ_PER_RUN): a power of two, at most 16.
      expect(q.rescanMinutes).toBe(rescanMinutes(r.tables, q.tablesReadPerRun));
      expect(q.runs).toHaveLength(q.rescanMinutes);
      expect(q.runs.flatMap((x: { buckets: number[] }) => x.buckets).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: BUCKETS }, (_, i) => i));
      expect(q.runs.reduce((a: number, x: { tablesRead: number }) => a + x.tablesRead, 0)).toBe(r.tables);
      const bytes = q.runs.map((x: { bytesParsed: number }) => x.bytesParsed);
      expect(r.bytesParsed).toBe(Math.max(...bytes));
      expect(q.bytesParsedMax).toBe(r.bytesParsed);
      expect(q.bytesParsedMean).toBe(Math.round(bytes.reduce((a: number, b: number) => a + b, 0) / bytes.length));
      expect(r.cpuMs).toBe(Math.max(...q.runs.map((x: { cpuMs: number }) => x.cpuMs)));
      expect(q.tablesReadMax).toBe(Math.max(...q.runs.map((x: { tablesRead: number }) => x.tablesRead)));
      // A quiet run reads less than a warm run that reads every table.
      expect(r.bytesParsed).toBeLessThan(r.full.bytesParsed);
    }
  });

  it('2. failover of 3, 50 and 200 tables, ours and naive, with ratios', () => {
    expect(results.failover.rows.map((r: { tables: number }) => r.tables)).toEqual([3, 50, 200]);
    for (const r of results.failover.rows) {
      for (const side of [r.ours, r.naive]) {
        expect(finite(side.firstRunMs) && finite(side.totalMs)).toBe(true);
        for (const k of ['runs', 'calls', 'mutatingCalls', 'retries', 'throttled', 'failedChanges', 'tablesMoved']) expect(count(side[k])).toBe(true);
      }
      expect(finite(r.ratioFirstRun) && finite(r.ratioTotal)).toBe(true);
      expect(count(r.maxChangesPerRun) && count(r.writeConcurrency)).toBe(true);
    }
  });

  it('2b. failover.oneAzDead: 100, 1,000 and 5,000 tables of a deleted gateway, ours and alterNAT-style, with the token-bucket bound', () => {
    const rows = results.failover.oneAzDead;
    expect(rows.map((r: { tables: number }) => r.tables)).toEqual([100, 1000, 5000]);
    for (const r of rows) {
      for (const k of ['tables', 'writes', 'routeWrites', 'runs', 'failedChanges', 'throttled']) expect(count(r[k])).toBe(true);
      for (const k of ['seconds', 'limitSeconds', 'alternatStyleSeconds']) expect(finite(r[k])).toBe(true);
      // Every table's route moved once, and the bound is the one for that many route writes.
      expect(r.routeWrites).toBeGreaterThanOrEqual(r.tables);
      expect(r.limitSeconds).toBeCloseTo(Math.max(0, r.routeWrites - 200) / 5, 1);
      // Nothing can beat the bucket.
      expect(r.seconds).toBeGreaterThanOrEqual(r.limitSeconds);
    }
    expect(typeof results.targets.oneAzDead1000.met).toBe('boolean');
    const r1000 = rows.find((r: { tables: number }) => r.tables === 1000);
    expect(results.targets.oneAzDead1000.met).toBe(r1000.seconds <= 1.15 * r1000.limitSeconds && r1000.failedChanges === 0 && r1000.seconds <= r1000.alternatStyleSeconds);
    for (const c of results.failover.writeConcurrency) expect(count(c.writeConcurrency) && finite(c.seconds)).toBe(true);
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

  it('3b. gray failure detection: probes (median and worst) against metrics alone, over fault times across a minute', () => {
    const g = results.detection.grayFailure;
    for (const k of ['probesSeconds', 'probesWorstSeconds', 'metricsSeconds']) expect(finite(g[k])).toBe(true);
    expect(g.probesWorstSeconds).toBeGreaterThanOrEqual(g.probesSeconds);
    // Spread across a minute: at least 6 fault start times, every one of them graded, none violating an invariant.
    expect(g.faultOffsetsSeconds.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...g.faultOffsetsSeconds) - Math.min(...g.faultOffsetsSeconds)).toBeGreaterThanOrEqual(45);
    expect(g.runs).toHaveLength(g.faultOffsetsSeconds.length);
    for (const r of g.runs) expect(finite(r.probesSeconds) && finite(r.metricsSeconds) && r.violations === 0).toBe(true);
    expect(finite(g.assumptions.probePublishLagSeconds)).toBe(true);
    // The targets: median <= 60 s, worst <= 90 s; the verdict agrees with the figures.
    expect(results.targets.grayFailureProbes.met).toBe(g.probesSeconds <= 60 && g.probesWorstSeconds <= 90);
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
describe('bench/results.json cli', () => {
  it('6. the CLI: --help, --version and a refused request, wall time of fresh processes', () => {
    const cli = results.cli;
    expect(typeof cli.method).toBe('string');
    for (const k of ['helpMs', 'versionMs', 'refusedMs', 'tsxHelpMs', 'entryBytes', 'bundleBytes']) expect(finite(cli[k]) && cli[k] > 0).toBe(true);
    expect(cli.helpMsRuns).toHaveLength(cli.runs);
    expect(cli.refusedMsRuns).toHaveLength(cli.runs);
  });
});

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

  it('quotes the real-SDK steady runs (bytes parsed and peak RSS per table count), the full and first runs beside them', () => {
    for (const r of results.steady.realSdk) {
      expect(section).toMatch(row(r.tables, r.bytesParsed, r.cpuMs, r.peakRssMb));
      expect(section).toContain(`${r.full.bytesParsed}, ${r.full.cpuMs}, `);
      expect(section).toContain(`${r.cold.bytesParsed}, ${r.cold.cpuMs}, `);
    }
  });

  it('quotes the failover runs and first-run times', () => {
    for (const f of results.failover.rows) expect(section).toMatch(row(f.tables, f.ours.runs, `${f.ours.firstRunMs} ms`));
  });

  it('quotes the one-AZ evacuation per size, with the alterNAT-style figure', () => {
    for (const r of results.failover.oneAzDead) {
      expect(section).toMatch(row(r.tables, `${r.writes} (${r.routeWrites})`, r.runs, r.seconds, r.limitSeconds));
      expect(section).toContain(` ${r.alternatStyleSeconds} `);
    }
  });

  it('quotes the reaction times', () => {
    for (const r of results.reaction) expect(section).toMatch(row(r.event, r.tables, `${r.reactionMs} ms`));
  });

  it('quotes the gray failure detection (probes against metrics alone)', () => {
    const g = results.detection.grayFailure;
    expect(section).toMatch(row('probes (verdict event, PROBES=on)', `${g.probesSeconds} s`, `${g.probesWorstSeconds} s`));
    expect(section).toMatch(row('connection metrics alone', `${g.metricsSeconds} s`, `${g.metricsWorstSeconds} s`));
  });

  it('quotes the CloudWatch cost per gateway count', () => {
    for (const r of results.cloudwatch.rows) {
      expect(section).toMatch(row(r.gateways, `${r.alarms} (${r.alarmMetrics})`, r.alarmUsdPerMonth.toFixed(2)));
    }
  });
});

/** The steady run's XML at 1,000 tables (issue 16) is quoted in prose: the worst quiet run and a run that reads every table. */
describe('the steady-run bytes are quoted from bench/results.json', () => {
  const r = results.steady.realSdk.find((x: { tables: number }) => x.tables === 1000);
  const n = (x: number): string => x.toLocaleString('en-US');
  for (const file of ['README.md', 'docs/benchmarks.md']) {
    it(`${file} quotes the worst quiet run (${n(r.bytesParsed)} bytes) and the full read (${n(r.full.bytesParsed)})`, () => {
      const text = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      expect(text).toContain(`**${n(r.bytesParsed)} bytes**`);
      expect(text).toContain(n(r.full.bytesParsed));
    });
  }
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

/** The probe's cost per AZ (issue 13) is quoted where an operator decides to turn probes on. */
describe('the probe cost is quoted from bench/results.json', () => {
  const probe = results?.cost?.probe;
  const page = readFileSync(join(__dirname, '..', '..', 'docs', 'probes.md'), 'utf8');

  it('has the per-AZ total, the function alone, every item and its target verdict', () => {
    expect(finite(probe.perAzMonthlyUsd) && finite(probe.functionOnlyUsd) && finite(probe.billedMsPerInvocation)).toBe(true);
    const sum = Object.values(probe.items as Record<string, { usd: number }>).reduce((a, i) => a + i.usd, 0);
    expect(Math.abs(sum - probe.perAzMonthlyUsd)).toBeLessThan(0.0005);
    expect(typeof results.targets.probeCostPerAz.met).toBe('boolean');
  });

  it('docs/probes.md quotes the per-AZ total and the function alone', () => {
    expect(page).toContain(`**$${probe.perAzMonthlyUsd.toFixed(2)}/month per AZ**`);
    expect(page).toContain(`the function itself **$${probe.functionOnlyUsd.toFixed(2)}**`);
    expect(page).toContain(`are $${probe.items.metricSeries.usd.toFixed(2)}`);
  });
});
