/**
 * End to end on the in-memory region, which refuses a CreateTags past 50 tags as EC2 does: a table
 * with little room left still fails over, its state is written as far as it fits, and a person is
 * told (issue 10, item 5).
 */
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { PushedSignals } from '../../src/events/signals';
import type { SignalUpdate } from '../../src/events/types';
import { reconcile } from '../../src/reconcile/controller';
import type { Notification } from '../../src/reconcile/ports';
import { MemoryCloud, ZONES, managedTable, nat, threeAzRegion } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const clock = { now: () => NOW, sleep: async () => {} };
const config: Config = { ...DEFAULTS };
const owner = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team:tag-${i}`, 'x']));

describe('tag budget on a crowded table', () => {
  it('moves the route, records what fits without a failing CreateTags, and notifies a HOLD tag-budget', async () => {
    // Prepare: rtb-a carries 46 owner tags and the managed tag; its gateway has failed.
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
    const a = managedTable('rtb-a', 'us-east-1a', 'nat-a');
    cloud.addTable({ ...a, tags: { ...a.tags, ...owner(46) } });
    cloud.addTable(managedTable('rtb-b', 'us-east-1b', 'nat-b'));
    const logs: Array<[string, Record<string, unknown> | undefined]> = [];
    const notes: Notification[] = [];
    const recorder = { info() {}, warn: (m: string, d?: Record<string, unknown>) => logs.push([m, d]), error: (m: string, d?: Record<string, unknown>) => logs.push([`ERROR ${m}`, d]), count() {} };

    // Act
    const report = await reconcile({ cloud, clock, recorder, notifier: { notify: async (n) => void notes.push(n) } }, config);

    // Assess: moved, and nothing failed.
    const r = report.results.find((x) => x.action.routeTableId === 'rtb-a')!;
    expect(r.status).toBe('applied');
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-c');
    expect(report.results.every((x) => x.status === 'applied')).toBe(true);
    // Written as far as it fits while one slot stays free for evacuation memory: 49 tags, the
    // state and home recorded, since and reason left out.
    const tags = cloud.tagsOf('rtb-a');
    expect(Object.keys(tags)).toHaveLength(49);
    expect(tags[TAGS.state]).toBe('failed-over');
    expect(tags[TAGS.homeNat]).toBe('nat-a');
    expect(tags[TAGS.reason]).toBeUndefined();
    // Told: a safety warning in the log, and a HOLD in the notification.
    expect(logs.find(([m, d]) => m === 'held by safety rule' && d?.kind === 'tag-budget')?.[1]?.routeTableId).toBe('rtb-a');
    expect(logs.filter(([m]) => m.startsWith('ERROR'))).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.subject).toContain('+1 hold');
    expect(notes[0]!.message).toMatch(/HOLD tag-budget: rtb-a[\s\S]*keeps room for 1 evacuation memory tag\): no room to record nat-failover:since, nat-failover:reason/);
  });

  it('tables filled by their owners still remember an evacuation that opens later (one slot stays free)', async () => {
    // Found in review: three tables at 46 tags, filled to 50 by their at-home state on first sight,
    // could not take the memory key of an autoshift that opened a run later: the evacuation held for
    // one run and was forgotten the next.
    const { cloud, recorder, logs } = threeAzRegion();
    for (const id of ['rtb-a', 'rtb-b', 'rtb-c']) Object.assign(cloud.tables.get(id)!.tags, owner(45));
    let now = new Date('2026-11-23T12:00:00.000Z');
    const deps = { cloud, clock: { now: () => now, sleep: async () => {} }, recorder, signals: new PushedSignals({ cloud, recorder }, config) };
    const cfg: Config = { ...config, alarms: 'off' };
    await reconcile(deps, cfg, { trigger: 'schedule' });
    now = new Date(now.getTime() + 60_000);
    const open: SignalUpdate = { kind: 'evacuation-open', source: 'arc-autoshift', key: 'arc-autoshift:use1-az3', zones: ['use1-az3'], at: now, detail: 'Autoshift In Progress' } as SignalUpdate;
    await reconcile(deps, cfg, { trigger: 'arc', signalUpdates: [open] });
    for (let i = 0; i < 3; i++) {
      now = new Date(now.getTime() + 60_000);
      const r = await reconcile(deps, cfg, { trigger: 'schedule' });
      expect(r.observation.evacuations.map((e) => e.az)).toEqual(['us-east-1c']);
    }
    expect(cloud.target('rtb-c', '0.0.0.0/0')).not.toBe('nat-c');
    expect(logs.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });

  it('says ERROR when the evacuation memory fits on no managed table at all', async () => {
    const { cloud, recorder, logs } = threeAzRegion();
    for (const id of ['rtb-a', 'rtb-b', 'rtb-c']) Object.assign(cloud.tables.get(id)!.tags, owner(49));
    const now = new Date('2026-11-23T12:00:00.000Z');
    const deps = { cloud, clock: { now: () => now, sleep: async () => {} }, recorder, signals: new PushedSignals({ cloud, recorder }, config) };
    const open: SignalUpdate = { kind: 'evacuation-open', source: 'arc-autoshift', key: 'arc-autoshift:use1-az3', zones: ['use1-az3'], at: now, detail: 'Autoshift In Progress' } as SignalUpdate;
    await reconcile(deps, { ...config, alarms: 'off' }, { trigger: 'arc', signalUpdates: [open] });
    expect(logs.filter((l) => l.startsWith('ERROR evacuation memory fits on no managed table')).length).toBeGreaterThanOrEqual(1);
  });
});
