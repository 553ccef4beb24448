/**
 * EC2 allows 50 user tags per resource (`aws:` keys do not count) and fails a CreateTags that would
 * pass that, for every table in the call (issue 10, item 5). The planner counts before writing.
 */
import fc from 'fast-check';
import { EVACUATION_MEMORY_PREFIX, LEGACY_TAGS, TAGS, TAGS_PER_RESOURCE_MAX, TAG_PREFIX } from '../../src/core/constants';
import { EVACUATION_TAG_PREFIX } from '../../src/events/memory';
import { MEMORY_SLOTS_MIN } from '../../src/core/planner';
import { fitTagBudget, stateTags, userTagCount } from '../../src/core/state';
import type { Inventory, Plan } from '../../src/core/types';
import { actionFor, at, config, decideAt, failedOverTags, observation, standardInventory, table, withNat, withTable, type ObsSpec } from './fixtures';

const owner = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team:tag-${String(i).padStart(2, '0')}`, 'x']));
const run = (inv: Inventory, spec: ObsSpec = {}): Plan => decideAt(observation(inv, spec), config()).plan;
const after = (tags: Record<string, string>, p: Plan, id: string): Record<string, string> => {
  const a = actionFor(p, id);
  const out = { ...tags, ...(a?.tags.set ?? {}) };
  for (const k of a?.tags.remove ?? []) delete out[k];
  return out;
};

describe('fitTagBudget', () => {
  const keyArb = fc.oneof(
    fc.constantFrom(...Object.values(TAGS), ...Object.values(LEGACY_TAGS)),
    fc.constantFrom('Name', 'team', 'aws:cloudformation:stack-name', 'AWS:Foo', `${EVACUATION_MEMORY_PREFIX}use1-az1`),
    fc.string({ minLength: 1, maxLength: 8 }),
  );
  const tagsArb = fc.dictionary(keyArb, fc.constant('v'), { maxKeys: 70 });

  it('never lets a write take a table past 50 user tags, keeps every update and removal, and drops only new keys', () => {
    fc.assert(
      fc.property(tagsArb, tagsArb, fc.array(keyArb, { maxLength: 5 }), fc.nat(5), (current, set, remove, reserve) => {
        const { diff, dropped, count } = fitTagBudget(current, { set, remove }, reserve);
        const written = { ...current, ...diff.set };
        expect(count).toBe(userTagCount(current));
        // Past 50 only if it already was, and then by nothing new.
        expect(userTagCount(written)).toBeLessThanOrEqual(Math.max(TAGS_PER_RESOURCE_MAX, count));
        if (count + reserve < TAGS_PER_RESOURCE_MAX) expect(userTagCount(written) + reserve).toBeLessThanOrEqual(Math.max(TAGS_PER_RESOURCE_MAX, count + reserve));
        // Every removal, except a legacy key whose replacement found no room: it still holds the
        // pin or flap count, so it stays until the new key is written.
        const keptLegacy = (k: string) =>
          (dropped.includes(TAGS.pin) && [LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinTarget, LEGACY_TAGS.pinUntil, LEGACY_TAGS.pinBy].includes(k as never)) ||
          (dropped.includes(TAGS.flaps) && k === LEGACY_TAGS.lastRestore);
        expect(diff.remove).toEqual(remove.filter((k) => !keptLegacy(k)));
        for (const [k, v] of Object.entries(set)) {
          if (k in current || /^aws:/i.test(k)) expect(diff.set[k]).toBe(v);
          else expect(k in diff.set !== dropped.includes(k)).toBe(true);
        }
        // A pin is never half-written into a permanent one: its expiry is in the same key, whole.
        if (TAGS.pin in diff.set) expect(diff.set[TAGS.pin]).toBe(set[TAGS.pin]);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the most needed keys first when only some fit', () => {
    const state = stateTags({ ...failedState(), mode: 'failed-over' });
    const { diff, dropped } = fitTagBudget(owner(47), { set: state, remove: [] });
    expect(Object.keys(diff.set)).toEqual([TAGS.state, TAGS.homeNat, TAGS.homeOkSince]);
    expect(dropped).toEqual([TAGS.since, TAGS.reason]);
  });

  it('does not count aws: tags', () => {
    const aws = { 'aws:cloudformation:stack-name': 's', 'aws:cloudformation:logical-id': 'l', 'AWS:x': 'y' };
    expect(fitTagBudget({ ...owner(49), ...aws }, { set: { [TAGS.state]: 'home' }, remove: [] }).dropped).toEqual([]);
  });

  it('names the same evacuation memory prefix as the events module', () => {
    expect(EVACUATION_MEMORY_PREFIX).toBe(EVACUATION_TAG_PREFIX);
    expect(EVACUATION_MEMORY_PREFIX.startsWith(TAG_PREFIX)).toBe(true);
  });
});

function failedState() {
  return { mode: 'failed-over' as const, since: at(-60), reason: 'nat-a failed', homeNat: 'nat-a', homeAz: undefined, homeOkSince: at(-30), flaps: 0, lastRestore: undefined, blackholeNat: undefined, pin: undefined };
}

describe('the planner counts the tag budget before writing', () => {
  const crowded = (n: number, extra: Record<string, string> = {}) =>
    withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: { ...owner(n), ...extra } })), 'nat-a', { state: 'failed' });

  it.each([43, 44, 45, 46, 47, 48, 49])('a table with %i owner tags (and the managed tag) still fails over, and records what fits, never past 49 (one slot stays free for evacuation memory)', (n) => {
    const inv = crowded(n);
    const p = run(inv);

    const a = actionFor(p, 'rtb-a')!;
    expect(a.transition).toBe('failover');
    expect(a.routes.map((r) => r.destination)).toEqual(['0.0.0.0/0']);
    const t = inv.routeTables.find((x) => x.id === 'rtb-a')!;
    // The managed tag is one of the table's tags too.
    expect(userTagCount(after(t.tags, p, 'rtb-a'))).toBeLessThanOrEqual(Math.max(n + 1, TAGS_PER_RESOURCE_MAX - MEMORY_SLOTS_MIN));
    const full = n + 1 + 4 + MEMORY_SLOTS_MIN > TAGS_PER_RESOURCE_MAX; // state, since, reason, home-nat, and the memory slot
    const budget = p.findings.filter((f) => f.kind === 'tag-budget');
    expect(budget).toHaveLength(full ? 1 : 0);
    if (full) expect(budget[0]!.message).toMatch(new RegExp(`rtb-a carries ${n + 1} of EC2's 50 tags \\(and keeps room for 1 evacuation memory tag\\): no room to record .*route change goes ahead`));
    if (n + 1 < TAGS_PER_RESOURCE_MAX - MEMORY_SLOTS_MIN) expect(a.tags.set[TAGS.state]).toBe('failed-over');
  });

  it('keeps room for the evacuation memory keys this run may add', () => {
    // 46 tags: four state keys fit, but an open evacuation of us-east-1b will add its memory key.
    const inv = withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: owner(45) }));
    const p = run(inv, { evacuations: [{ az: 'us-east-1b', source: 'arc-zonal-shift', id: 'shift-1', since: at(-60) }] });
    expect(Object.keys(actionFor(p, 'rtb-a')!.tags.set)).toHaveLength(3);
    expect(p.findings.find((f) => f.kind === 'tag-budget')!.message).toContain('keeps room for 1 evacuation memory tag');
    // Once the key is there, it is counted as a tag like any other; one slot still stays free for
    // the next AZ's evacuation (or a close record), so 2 of the 3 free slots are used.
    const withKey = withTable(inv, table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: { ...owner(45), [`${EVACUATION_MEMORY_PREFIX}use1-az2`]: 'arc-zonal-shift@2026-11-23T11:59:00Z#0123456789' } }));
    const again = run(withKey, { evacuations: [{ az: 'us-east-1b', source: 'arc-zonal-shift', id: 'shift-1', since: at(-60) }] });
    expect(Object.keys(actionFor(again, 'rtb-a')!.tags.set)).toHaveLength(2);
  });

  it('never fills a table\'s last slot with its own state: whatever the owner tags, a later evacuation has room', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 49 }), fc.constantFrom('failed', 'available'), (n, state) => {
        const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: owner(n) })), 'nat-a', { state: state as 'failed' | 'available' });
        const p = run(inv);
        const t = inv.routeTables.find((x) => x.id === 'rtb-a')!;
        const before = userTagCount(t.tags);
        // The plan adds state keys only while a slot stays free (a table already full stays as it was).
        expect(userTagCount(after(t.tags, p, 'rtb-a'))).toBeLessThanOrEqual(Math.max(before, TAGS_PER_RESOURCE_MAX - MEMORY_SLOTS_MIN));
      }),
    );
  });

  it('updates existing keys of a full table (they cost no room)', () => {
    const inv = withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...owner(44), ...failedOverTags({ homeNat: 'nat-a', since: -900, homeOkSince: -700 }) } }));
    const p = run(inv, {});
    const a = actionFor(p, 'rtb-a')!;
    expect(a.transition).toBe('restore');
    expect(a.tags.set[TAGS.state]).toBe('home');
    // The restore time is new state for a table with no `flaps` key: that key needs room.
    expect(p.findings.find((f) => f.kind === 'tag-budget')?.message).toContain(TAGS.flaps);
  });
});
