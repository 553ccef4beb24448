/**
 * The signal source inside a real reconcile on an in-memory region: what the poll does when
 * alarms are managed, evacuations steering targets, and failures that must not stop a run.
 */
import { DEFAULTS } from '../../src/config';
import { reconcile } from '../../src/reconcile/controller';
import type { AlarmSpec, ExistingAlarm } from '../../src/events/alarmSpecs';
import { EVACUATION_TAG_PREFIX } from '../../src/events/memory';
import { parseEvent } from '../../src/events/parse';
import { type AlarmStore, PushedSignals } from '../../src/events/signals';
import arcSample from '../../events/arc-autoshift.json';
import { nat, threeAzRegion } from '../reconcile/memoryCloud';

const T0 = new Date('2026-11-23T12:00:00Z'); // minute divisible by METRIC_POLL_MINUTES=3
const clockAt = (d: Date) => ({ now: () => d, sleep: async () => {} });
const config = { ...DEFAULTS, restoreHoldDownSeconds: 0 };

/** An alarm store kept in a map, with the states a test sets. */
class MapAlarms implements AlarmStore {
  readonly alarms = new Map<string, ExistingAlarm>();
  async list(prefix: string) {
    return [...this.alarms.values()].filter((a) => a.name.startsWith(`${prefix}-`));
  }
  async put(spec: AlarmSpec) {
    const seen = this.alarms.get(spec.name);
    this.alarms.set(spec.name, { name: spec.name, description: spec.description, state: seen?.state ?? 'INSUFFICIENT_DATA', stateSince: seen?.stateSince });
  }
  async remove(names: readonly string[]) {
    for (const n of names) this.alarms.delete(n);
  }
}

const arcAway = (azId: string, time: string) => {
  const e = JSON.parse(JSON.stringify(arcSample));
  e.detail.metadata.awayFrom = azId;
  e.time = time;
  return parseEvent(e).updates;
};

describe('the metric poll when alarms are managed', () => {
  it('skips the scheduled poll with an alarm store, reads on a forced run, and polls without one', async () => {
    const { cloud, recorder } = threeAzRegion();
    const managed = new PushedSignals({ cloud, alarms: new MapAlarms(), recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals: managed }, config, { trigger: 'schedule' });
    expect(cloud.count('readMetrics')).toBe(0);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals: managed }, config, { trigger: 'alarm', forceMetrics: true });
    expect(cloud.count('readMetrics')).toBe(1);
    const off = new PushedSignals({ cloud, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals: off }, config, { trigger: 'schedule' });
    expect(cloud.count('readMetrics')).toBe(2);
  });

  it('turns an alarm in ALARM into a soft signal that moves the table', async () => {
    const { cloud, recorder } = threeAzRegion();
    const alarms = new MapAlarms();
    const signals = new PushedSignals({ cloud, alarms, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    expect(alarms.alarms.size).toBe(6);
    const name = 'nat-failover-gw-nat-a-packet-drops';
    alarms.alarms.set(name, { ...(alarms.alarms.get(name) as ExistingAlarm), state: 'ALARM', stateSince: T0 });
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-b');
  });
});

describe('an alarm store that cannot be read', () => {
  it('still fails over on a hard signal, but holds the restore until the alarms are read again', async () => {
    // Prepare: nat-a fails and rtb-a moves away (hold-down 0, so the restore is due at once).
    const { cloud, recorder, logs } = threeAzRegion();
    const alarms = new MapAlarms();
    const signals = new PushedSignals({ cloud, alarms, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    const list = alarms.list.bind(alarms);
    alarms.list = async () => {
      throw new Error('Throttling');
    };
    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    expect(cloud.target('rtb-a', '0.0.0.0/0')).not.toBe('nat-a');

    // Act: nat-a is back while the alarms still cannot be read, then once they can.
    cloud.nats = [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const blind = await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    const heldOn = cloud.target('rtb-a', '0.0.0.0/0');
    alarms.list = list;
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);

    // Assess
    expect(logs).toContain('ERROR alarms not read; soft signals unknown this run');
    expect(blind.observation.unreadSignals).toEqual([{ source: 'alarms', error: 'Throttling' }]);
    expect(heldOn).not.toBe('nat-a');
    expect(blind.plan.findings.map((f) => f.kind)).toContain('monitoring-degraded');
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-a');
  });
});

describe('evacuations in a run', () => {
  it('never fails over into an evacuated AZ', async () => {
    const { cloud, recorder } = threeAzRegion();
    const signals = new PushedSignals({ cloud, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config, { signalUpdates: arcAway('use1-az2', '2026-11-23T11:59:00Z') });
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-a');
    // nat-a now dies: rtb-a must go to c, never to b's evacuated AZ (nor may rtb-b stay on a).
    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-c');
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-c');
  });

  it('costs one grouped tag write when a signal opens, and none on the runs after', async () => {
    const { cloud, recorder } = threeAzRegion();
    const signals = new PushedSignals({ cloud, alarms: new MapAlarms(), recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    cloud.calls.length = 0;
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config, { signalUpdates: arcAway('use1-az2', '2026-11-23T11:59:00Z') });
    const memoryWrites = cloud.calls.filter((c) => c.op === 'createTags' && Object.keys(c.args[1] as object).some((k) => k.startsWith(EVACUATION_TAG_PREFIX)));
    expect(memoryWrites.map((c) => c.args[0])).toEqual([['rtb-a', 'rtb-b', 'rtb-c']]);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    cloud.calls.length = 0;
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config);
    expect(cloud.calls.map((c) => c.op)).toEqual(['readInventory']);
  });

  it('forgets a signal after the maximum age and lets the table come home', async () => {
    const { cloud, recorder, logs } = threeAzRegion();
    const signals = new PushedSignals({ cloud, recorder }, { ...config, evacuationMaxAgeSeconds: 600 });
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config, { signalUpdates: arcAway('use1-az2', '2026-11-23T12:00:00Z') });
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-a');
    await reconcile({ cloud, clock: clockAt(new Date(T0.getTime() + 9 * 60_000)), recorder, signals }, config);
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-a');
    await reconcile({ cloud, clock: clockAt(new Date(T0.getTime() + 11 * 60_000)), recorder, signals }, config);
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-b');
    expect(logs.some((l) => l === 'evacuation signal')).toBe(true);
    expect(Object.keys(cloud.tagsOf('rtb-a')).filter((k) => k.startsWith(EVACUATION_TAG_PREFIX))).toEqual([]);
  });

  it('counts EC2\'s 50 tags: a full table gets no memory key (no failing CreateTags), the run still evacuates and says so', async () => {
    const { cloud, recorder, logs } = threeAzRegion();
    const full = cloud.tables.get('rtb-c')!;
    for (let i = 0; Object.keys(full.tags).length < 50; i++) full.tags[`owner:${i}`] = 'x';
    const signals = new PushedSignals({ cloud, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config, { signalUpdates: arcAway('use1-az2', '2026-11-23T11:59:00Z') });
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-a');
    const writes = cloud.calls.filter((c) => c.op === 'createTags' && Object.keys(c.args[1] as object).some((k) => k.startsWith(EVACUATION_TAG_PREFIX)));
    expect(writes.map((c) => c.args[0])).toEqual([['rtb-a', 'rtb-b']]);
    expect(Object.keys(cloud.tagsOf('rtb-c')).filter((k) => k.startsWith(EVACUATION_TAG_PREFIX))).toEqual([]);
    expect(logs).toContain("WARN evacuation memory does not fit EC2's 50 tags on these tables; not written there");
  });

  it('still evacuates when the memory cannot be written, and says so', async () => {
    const { cloud, recorder, logs } = threeAzRegion();
    const original = cloud.createTags.bind(cloud);
    cloud.createTags = async (ids, tags) => {
      if (Object.keys(tags).some((k) => k.startsWith(EVACUATION_TAG_PREFIX))) throw new Error('UnauthorizedOperation');
      return original(ids, tags);
    };
    const signals = new PushedSignals({ cloud, recorder }, config);
    await reconcile({ cloud, clock: clockAt(T0), recorder, signals }, config, { signalUpdates: arcAway('use1-az2', '2026-11-23T11:59:00Z') });
    expect(cloud.target('rtb-b', '0.0.0.0/0')).toBe('nat-a');
    expect(logs).toContain('ERROR evacuation memory not written');
  });
});
