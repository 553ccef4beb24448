/**
 * Issue 10 item 11: a deployment with DRY_RUN=true writes nothing at all, on every path, and says
 * what it would do. The region refuses (and records) every route, tag and alarm write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { triggerOf } from '../../src/events/triggers';
import { PushedSignals } from '../../src/events/signals';
import { handleManual, inProcessRunner, type ManualDeps } from '../../src/manual/actions';
import { parseInternalPayload } from '../../src/manual/internal';
import { type ControllerDeps, reconcile } from '../../src/reconcile/controller';
import { silentRecorder } from '../../src/reconcile/ports';
import { fixedClock, RecordingRunner } from '../manual/world';
import { managedTable, nat, threeAzRegion } from '../reconcile/memoryCloud';
import { WriteRefusingAlarms, WriteRefusingCloud } from './writeGuard';

const CONFIG: Config = { ...DEFAULTS, dryRun: true, alarms: 'managed', restoreHoldDownSeconds: 0 };
const NOW = new Date('2026-11-23T12:10:00.000Z');
const event = (file: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../events', file), 'utf8'));

/** nat-a deleted (rtb-a would fail over), rtb-b away on nat-c (a restore is due), rtb-c pinned. */
function world() {
  const base = threeAzRegion().cloud;
  base.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
  base.addTable({ ...managedTable('rtb-b', 'us-east-1b', 'nat-c'), tags: { 'nat-failover': 'enabled', [TAGS.state]: 'failed-over' } });
  base.addTable({ ...managedTable('rtb-c', 'us-east-1c', 'nat-c'), tags: { 'nat-failover': 'enabled', [TAGS.pin]: 'away-from=us-east-1c by=ops', [TAGS.pinReason]: 'x' } });
  const cloud = WriteRefusingCloud.from(base);
  const alarms = new WriteRefusingAlarms(cloud.writes);
  const signals = new PushedSignals({ cloud, alarms, recorder: silentRecorder }, CONFIG);
  const deps: ControllerDeps = { cloud, clock: fixedClock(NOW), recorder: silentRecorder, signals };
  return { cloud, deps };
}

describe('a DRY_RUN deployment writes nothing on any path', () => {
  it.each([
    ['scheduled run', 'schedule.json'],
    ['alarm event', 'alarm-state-change.json'],
    ['AWS Health event', 'health-issue.json'],
    ['ARC autoshift event', 'arc-autoshift.json'],
    ['ARC zonal shift event', 'zonal-shift.json'],
  ])('%s: every change is reported as dry-run, no route, tag, memory or alarm is written', async (_name, file) => {
    const { cloud, deps } = world();
    const t = triggerOf(event(file));
    const report = await reconcile(deps, CONFIG, { trigger: t.name, forceMetrics: t.forceMetrics, signalUpdates: t.updates });
    expect(cloud.writes).toEqual([]);
    expect(report.dryRun).toBe(true);
    // It says what it would do: the dead gateway's table would move.
    expect(report.results.find((r) => r.action.routeTableId === 'rtb-a')).toMatchObject({ status: 'dry-run' });
    expect(report.results.every((r) => r.status === 'dry-run')).toBe(true);
  });

  it('the manual function\'s run request (dryRun: false in the payload) cannot make the reconcile function write', async () => {
    const { cloud, deps } = world();
    const run = parseInternalPayload({ 'nat-failover': 'manual', action: 'failover', by: 'ops', dryRun: false });
    const report = await reconcile(deps, CONFIG, { trigger: `manual:${run.action}`, forceMetrics: true, dryRun: run.dryRun, overrides: run.overrides });
    expect(cloud.writes).toEqual([]);
    expect(report.dryRun).toBe(true);
  });

  const requests = [
    ['failover', { action: 'failover', az: 'us-east-1b', reason: 'CHG-1', by: 'ops' }, /^DRY_RUN deployment, nothing written: would pin 1 table\(s\) away from us-east-1b$/],
    ['restore', { action: 'restore', az: 'us-east-1b', by: 'ops' }, /^DRY_RUN deployment, nothing written: would restore 1 table\(s\) to us-east-1b$/],
    ['release', { action: 'release', az: 'us-east-1c', by: 'ops' }, /^DRY_RUN deployment, nothing written: would release the pin on 1 table\(s\)$/],
  ] as const;

  it.each(requests)('manual %s through the manual function (reconcile invoked as a Lambda): nothing written, reconcile not even asked', async (_a, req, message) => {
    const { cloud, deps } = world();
    const runner = new RecordingRunner();
    const manual: ManualDeps = { ...deps, runner, endpoints: { gatewayEndpoints: async () => [] } };
    const res = await handleManual(manual, CONFIG, req);
    expect(cloud.writes).toEqual([]);
    expect(runner.requests).toEqual([]);
    expect(res).toMatchObject({ ok: true, dryRun: true, via: 'plan-only', message: expect.stringMatching(message) });
  });

  it.each(requests)('manual %s in process (CLI --direct, serverless invoke local): nothing written, the plan is shown', async (_a, req, message) => {
    const { cloud, deps } = world();
    const manual: ManualDeps = { ...deps, runner: inProcessRunner(deps, CONFIG), endpoints: { gatewayEndpoints: async () => [] } };
    const res = await handleManual(manual, CONFIG, req);
    expect(cloud.writes).toEqual([]);
    expect(res).toMatchObject({ ok: true, dryRun: true, via: 'plan-only', message: expect.stringMatching(message) });
    expect((res as { run: { changes: unknown[] } }).run.changes.length).toBeGreaterThan(0);
  });

  it.each([['status', { action: 'status' }], ['plan', { action: 'plan' }]])('%s writes nothing', async (_a, req) => {
    const { cloud, deps } = world();
    const res = await handleManual({ ...deps, runner: inProcessRunner(deps, CONFIG), endpoints: { gatewayEndpoints: async () => [] } }, CONFIG, req);
    expect(res.ok).toBe(true);
    expect(cloud.writes).toEqual([]);
  });
});
