/**
 * Run in a fresh node process by bench/realSdk.ts (`node realSdkProbe.js <tables>`): steady-state
 * reconcile runs through the real adapters (src/aws/) and real SDK clients, answered in EC2's XML
 * and CloudWatch's JSON by bench/fakeAws.ts. Prints one JSON line.
 *
 * Sequence, as a deployed function lives it: two warm-up runs write the state tags and create the
 * managed alarms (the account where the controller has been running); then a new container's first
 * run (cold caches: `cold`) and the same container's next-minute run (`warm`: the typical minute).
 * Peak RSS is the process's VmHWM from just before the measured runs (reset through
 * /proc/self/clear_refs after a GC) to the end: the memory a warm container needs for them, the
 * idle Node process and the loaded SDK included.
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
import { FakeAws, realisticWorld } from './fakeAws';
import { benchWorld } from './world';

const vmHwmKb = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);

function deps(fake: FakeAws, clock: VirtualClock): ControllerDeps {
  const retry = new Retrier(clock);
  const options = { region: 'us-east-1', maxAttempts: 1, requestHandler: fake.handler, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'benchmark' } };
  const cloud = new AwsCloud(retry, { ec2: new EC2Client(options), cloudwatch: new CloudWatchClient(options) });
  const alarms = new CloudWatchAlarms(new CloudWatchClient(options), retry);
  return { cloud, clock, recorder: silentRecorder, signals: new PushedSignals({ cloud, alarms, recorder: silentRecorder }, DEFAULTS) };
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
      bytesParsed: fake.bytes,
      bytesByOperation: { ...fake.bytesByOperation },
      calls: { ...fake.calls },
      // The fake server's own work (building the responses) is not the function's.
      cpuMs: Math.round((used.user + used.system - fake.serverCpuMicros) / 1000),
    };
  };
  (globalThis as { gc?: () => void }).gc?.();
  const idleKb = vmHwmKb();
  writeFileSync('/proc/self/clear_refs', '5');
  const container = deps(fake, clock);
  const cold = await measure(container);
  const warm = await measure(container);
  process.stdout.write(JSON.stringify({ tables, cold, warm, peakRssKb: vmHwmKb(), warmUpPeakRssKb: idleKb, ...(process.env.PROBE_STAGES ? { stages } : {}) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
