/**
 * End to end on the in-memory region, which refuses a CreateTags past 50 tags as EC2 does: a table
 * with little room left still fails over, its state is written as far as it fits, and a person is
 * told (issue 10, item 5).
 */
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { reconcile } from '../../src/reconcile/controller';
import type { Notification } from '../../src/reconcile/ports';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

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
    // Written as far as it fits: 50 tags, the state and home recorded, the reason left out.
    const tags = cloud.tagsOf('rtb-a');
    expect(Object.keys(tags)).toHaveLength(50);
    expect(tags[TAGS.state]).toBe('failed-over');
    expect(tags[TAGS.homeNat]).toBe('nat-a');
    expect(tags[TAGS.reason]).toBeUndefined();
    // Told: a safety warning in the log, and a HOLD in the notification.
    expect(logs.find(([m, d]) => m === 'held by safety rule' && d?.kind === 'tag-budget')?.[1]?.routeTableId).toBe('rtb-a');
    expect(logs.filter(([m]) => m.startsWith('ERROR'))).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.subject).toContain('+1 hold');
    expect(notes[0]!.message).toMatch(/HOLD tag-budget: rtb-a[\s\S]*no room to record nat-failover:reason/);
  });
});
