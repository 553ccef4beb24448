/** A pin on a table with no room left under EC2's 50 tags is refused up front (issue 10, item 5). */
import { handleManual } from '../../src/manual/actions';
import { CONFIG, deps, RecordingRunner, region, RTB } from './world';

const owner = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team:tag-${i}`, 'x']));

describe('failover pin and the tag budget', () => {
  it('refuses, writing nothing, when a selected table has no room for the pin tags', async () => {
    const cloud = region();
    // 47 owner tags + the managed tag = 48: a pin needs 2 (`pin`, whatever its expiry, and
    // `pin-reason`), and one slot stays free for evacuation memory.
    Object.assign(cloud.tables.get(RTB.a)!.tags, owner(47));
    const before = cloud.tagsOf(RTB.a);
    const runner = new RecordingRunner();

    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'patching', expiresAt: '2026-11-23T14:00:00Z' });

    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'az' } });
    expect((res as { error: { message: string } }).error.message).toBe(`az: ${RTB.a} carries 48 of EC2's 50 tags (one slot kept for evacuation memory): no room for the pin's 1 new tag(s); remove tags from it first`);
    expect(cloud.tagsOf(RTB.a)).toEqual(before);
    expect(cloud.count('createTags')).toBe(0);
    expect(runner.requests).toEqual([]);
  });

  it('pins a table that has exactly enough room (47 tags: two pin keys and the memory slot; the five-key pin with expiry needed 46)', async () => {
    const cloud = region();
    Object.assign(cloud.tables.get(RTB.a)!.tags, owner(46));
    const res = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'patching', expiresAt: '2026-11-23T14:00:00Z' });
    expect(res).toMatchObject({ ok: true, tables: [RTB.a] });
    expect(Object.keys(cloud.tagsOf(RTB.a))).toHaveLength(49);
  });
});
