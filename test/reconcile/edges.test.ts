/**
 * Edge shapes through the whole loop on the in-memory region (issue 10, items 4 and 14): what is
 * written, and what a person is told.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { reconcile } from '../../src/reconcile/controller';
import type { Notification } from '../../src/reconcile/ports';
import { silentRecorder } from '../../src/reconcile/ports';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const config: Config = { ...DEFAULTS, restoreHoldDownSeconds: 600 };
const V6 = '64:ff9b::/96';

async function runAt(cloud: MemoryCloud, now: Date): Promise<{ notes: Notification[]; report: Awaited<ReturnType<typeof reconcile>> }> {
  const notes: Notification[] = [];
  const report = await reconcile({ cloud, clock: { now: () => now, sleep: async () => {} }, recorder: silentRecorder, notifier: { notify: async (n) => void notes.push(n) } }, config);
  return { notes, report };
}

describe('an IPv6-only table (its only NAT route is 64:ff9b::/96)', () => {
  it('is moved off a dead gateway like any other, recorded, and announced', async () => {
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
    const t = managedTable('rtb-6', 'us-east-1a', 'nat-a');
    cloud.addTable({ ...t, routes: t.routes.filter((r) => r.destination !== '0.0.0.0/0') });
    await runAt(cloud, new Date(NOW.getTime() - 3600_000));
    expect(cloud.tagsOf('rtb-6')[TAGS.state]).toBe('home');

    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const { notes } = await runAt(cloud, NOW);

    expect(['nat-b', 'nat-c']).toContain(cloud.target('rtb-6', V6));
    expect(cloud.tagsOf('rtb-6')).toMatchObject({ [TAGS.state]: 'failed-over', [TAGS.homeNat]: 'nat-a' });
    expect(notes.map((n) => n.subject)).toEqual([expect.stringMatching(/^\[nat-failover\] FAILOVER us-east-1a rtb-6 nat-a -> nat-[bc]/)]);
  });
});

describe('a VPC whose AZs have no NAT gateway of their own', () => {
  it('records its tables at home on the shared gateway and says nothing on a healthy run', async () => {
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a')]);
    for (const z of ['a', 'b', 'c']) cloud.addTable(managedTable(`rtb-${z}`, `us-east-1${z}`, 'nat-a'));

    const first = await runAt(cloud, NOW);
    const second = await runAt(cloud, new Date(NOW.getTime() + 60_000));

    for (const z of ['a', 'b', 'c']) expect(cloud.tagsOf(`rtb-${z}`)).toMatchObject({ [TAGS.state]: 'home', [TAGS.homeNat]: 'nat-a' });
    expect(first.report.plan.findings).toEqual([]);
    expect(first.notes).toEqual([]);
    expect(second.report.plan.actions).toEqual([]);
    expect(second.notes).toEqual([]);
  });
});

describe('an unreadable date in a state tag', () => {
  it('does not restore early: it is read as absent, rewritten, and a person hears about it once', async () => {
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
    const t = managedTable('rtb-a', 'us-east-1a', 'nat-b');
    cloud.addTable({
      ...t,
      tags: { ...t.tags, [TAGS.state]: 'failed-over', [TAGS.since]: '2026-11-23T11:00:00.000Z', [TAGS.reason]: 'earlier failover', [TAGS.homeNat]: 'nat-a', [TAGS.homeOkSince]: '1' },
    });

    const first = await runAt(cloud, NOW);
    const second = await runAt(cloud, new Date(NOW.getTime() + 60_000));

    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-b');
    expect(cloud.tagsOf('rtb-a')[TAGS.homeOkSince]).toBe(NOW.toISOString());
    expect(first.notes).toHaveLength(1);
    expect(first.notes[0]!.subject).toBe('[nat-failover] NOTICE unreadable-state us-east-1a rtb-a');
    expect(first.notes[0]!.message).toContain('tag nat-failover:home-ok-since="1" is not readable');
    expect(second.notes).toEqual([]);
    // After the whole hold-down from the rewritten instant, it goes home.
    await runAt(cloud, new Date(NOW.getTime() + 601_000));
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-a');
  });
});
