/**
 * Run in a fresh node process by bench/realSdk.ts (`node realSdkProbe.js <tables>`): steady-state
 * reconcile runs through the real adapters (src/aws/) and real SDK clients, answered in EC2's XML
 * and CloudWatch's JSON by bench/fakeAws.ts. Prints one JSON line.
 *
 * Sequence, as a deployed function lives it: two warm-up runs write the state tags and create the
 * managed alarms (the account where the controller has been running, an earlier container); then a
 * new container, built as src/lambda/wiring.ts builds the reconcile function's (its TableMemory
 * included), lives one scheduled minute after another:
 * - its first run (`cold`: every table read, paged, every subnet read);
 * - a full re-read cycle of quiet runs (`quiet`: k consecutive minutes, k = rescanMinutes, each
 *   reading one slice of the route tables and remembering the rest: the typical minute);
 * - one run that reads every table on the same warm container (`full`: what a warm run costs when
 *   it may not be quiet; the only steady run there was before quiet runs).
 * Peak RSS is the process's VmHWM from just before the container's first run (reset through
 * /proc/self/clear_refs after a GC) to the end: the memory a warm container needs for all of them,
 * the idle Node process and the loaded SDK included.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CloudWatchAlarms } from '../src/aws/alarms';
import { AwsCloud } from '../src/aws/cloud';
import { DEFAULTS } from '../src/config';
import { PushedSignals } from '../src/events/signals';
import { type ControllerDeps, reconcile } from '../src/reconcile/controller';
import { silentRecorder } from '../src/reconcile/ports';
import { Retrier } from '../src/retry';
import { VirtualClock } from '../src/sim/clock';
import { rescanMinutes, BUCKETS } from '../src/core/slices';
import { TableMemory } from '../src/reconcile/tableMemory';
import { FakeAws, realisticWorld } from './fakeAws';
import { benchWorld } from './world';

const vmHwmKb = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);

function deps(fake: FakeAws, clock: VirtualClock, tables?: TableMemory): ControllerDeps {
  const retry = new Retrier(clock);
  const options = { region: 'us-east-1', maxAttempts: 1, requestHandler: fake.handler, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'benchmark' } };
  const cloud = new AwsCloud(retry, { ec2: new EC2Client(options), cloudwatch: new CloudWatchClient(options) });
  const alarms = new CloudWatchAlarms(new CloudWatchClient(options), retry);
  return { cloud, clock, recorder: silentRecorder, signals: new PushedSignals({ cloud, alarms, recorder: silentRecorder }, DEFAULTS), ...(tables ? { tables } : {}) };
}

const stages: Record<string, { rssMb: number; heapUsedMb: number }> = {};
function stage(name: string): void {
  if (!process.env.PROBE_STAGES) return;
  const m = process.memoryUsage();
  stages[name] = { rssMb: Math.round(m.rss / 1048576), heapUsedMb: Math.round(m.heapUsed / 1048576) };
}

async function main(): Promise<void> {
  stage('loaded');
  const tables = Number(process.argv[2] ?? 1000);
  const fake = new FakeAws(realisticWorld(benchWorld(tables, 5)));
  const clock = new VirtualClock(new Date('2026-11-29T12:00:30Z'));
  const nextMinute = () => clock.advanceTo(Math.floor(clock.nowMs() / 60_000) * 60_000 + 60_000 + 30_000);
  stage('world');
  const warmUp = deps(fake, clock);
  for (let i = 0; i < 2; i++) {
    await reconcile(warmUp, DEFAULTS, { trigger: 'schedule' });
    nextMinute();
    stage(`warm-up ${i + 1}`);
  }
  const measure = async (d: ControllerDeps) => {
    fake.resetCounters();
    const cpu = process.cpuUsage();
    const report = await reconcile(d, DEFAULTS, { trigger: 'schedule' });
    const used = process.cpuUsage(cpu);
    nextMinute();
    stage(`run ${Object.keys(stages).length}`);
    return {
      managedTables: report.observation.inventory.routeTables.length,
      actions: report.plan.actions.length,
      // A quiet run's slice: its buckets and the tables it read (the rest were remembered).
      ...(report.quiet ? { buckets: report.quiet.buckets, tablesRead: report.quiet.tablesRead } : {}),
      bytesParsed: fake.bytes,
      compactBytes: fake.compactBytes,
      bytesByOperation: { ...fake.bytesByOperation },
      calls: { ...fake.calls },
      // The fake server's own work (building the responses) is not the function's.
      cpuMs: Math.round((used.user + used.system - fake.serverCpuMicros) / 1000),
    };
  };
  (globalThis as { gc?: () => void }).gc?.();
  const idleKb = vmHwmKb();
  writeFileSync('/proc/self/clear_refs', '5');
  // The reconcile function's container: src/lambda/wiring.ts lambdaDeps gives it a TableMemory.
  const memory = new TableMemory();
  const container = deps(fake, clock, memory);
  const cold = await measure(container);
  if ('buckets' in cold || cold.actions > 0) throw new Error(`the container's first run was quiet or changed something (${cold.actions} actions): the world is not steady`);
  const k = rescanMinutes(cold.managedTables, DEFAULTS.tablesReadPerRun);
  const quiet = [];
  for (let i = 0; i < k; i++) {
    const r = await measure(container);
    // A benchmark of quiet runs that were not quiet would measure something else: say so and stop.
    if (!('buckets' in r)) throw new Error(`scheduled run ${i + 1} after the first was not quiet (${r.actions} actions, ${r.managedTables} tables)`);
    quiet.push(r);
  }
  const seen = new Set(quiet.flatMap((r) => r.buckets ?? []));
  if (seen.size !== BUCKETS) throw new Error(`a cycle of ${k} quiet runs read ${seen.size} of ${BUCKETS} buckets`);
  const readInCycle = quiet.reduce((a, r) => a + (r.tablesRead ?? 0), 0);
  if (readInCycle !== cold.managedTables) throw new Error(`a cycle of ${k} quiet runs read ${readInCycle} tables, not the ${cold.managedTables} managed`);
  // The same warm container, made to read every table (as it does whenever a run may not be quiet).
  memory.forget();
  const full = await measure(container);
  if ('buckets' in full) throw new Error('the run after forget() was quiet');
  process.stdout.write(JSON.stringify({ tables, rescanMinutes: k, cold, quiet, full, peakRssKb: vmHwmKb(), warmUpPeakRssKb: idleKb, ...(process.env.PROBE_STAGES ? { stages } : {}) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
