/** A pin on a table with no room left under EC2's 50 tags is refused up front (issue 10, item 5). */
import { handleManual } from '../../src/manual/actions';
import { CONFIG, deps, RecordingRunner, region, RTB } from './world';

const owner = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team:tag-${i}`, 'x']));

describe('failover pin and the tag budget', () => {
  it('refuses, writing nothing, when a selected table has no room for the pin tags', async () => {
    const cloud = region();
    // 48 owner tags + the managed tag = 49: a pin needs 2 (`pin`, whatever its expiry, and `pin-reason`).
    Object.assign(cloud.tables.get(RTB.a)!.tags, owner(48));
    const before = cloud.tagsOf(RTB.a);
    const runner = new RecordingRunner();

    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'patching', expiresAt: '2026-11-23T14:00:00Z' });

    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'az' } });
    expect((res as { error: { message: string } }).error.message).toBe(`az: ${RTB.a} carries 49 of EC2's 50 tags: no room for the pin's 1 new tag(s); remove tags from it first`);
    expect(cloud.tagsOf(RTB.a)).toEqual(before);
    expect(cloud.count('createTags')).toBe(0);
    expect(runner.requests).toEqual([]);
  });

  it('pins a table that has exactly enough room (48 tags: the five-key pin with expiry needed 46)', async () => {
    const cloud = region();
    Object.assign(cloud.tables.get(RTB.a)!.tags, owner(47));
    const res = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'patching', expiresAt: '2026-11-23T14:00:00Z' });
    expect(res).toMatchObject({ ok: true, tables: [RTB.a] });
    expect(Object.keys(cloud.tagsOf(RTB.a))).toHaveLength(50);
  });
});
