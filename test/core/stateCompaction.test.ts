/**
 * Issue 10, item 5: the state lives in as few tags as honest readability allows. The pin's facts
 * are one key (`pin`), the flap damping one (`flaps` = `<count>@<last restore>`): 14 keys -> 10.
 * Deployed tables carry the old keys: they are read while the new key is absent and removed by the
 * next write, which never loses a pin or a flap count on the way.
 */
import fc from 'fast-check';
import { LEGACY_TAGS, TAGS, TAGS_PER_RESOURCE_MAX, TAG_PREFIX } from '../../src/core/constants';
import { diffTags, fitTagBudget, pinValue, readState, readStateChecked, safeBy, stateTags } from '../../src/core/state';
import type { Pin, TableState } from '../../src/core/types';
import { actionFor, applyPlan, at, config, decideAt, observation, standardInventory, table, withTable } from './fixtures';
import { garbageFlaps, garbagePin } from './garbage';

const RUNS = { numRuns: 500 };

// Instants as the controller writes them (toISOString: milliseconds, 'Z'), 1970..2199.
const instant = fc.integer({ min: 0, max: Date.UTC(2199, 11, 31) }).map((ms) => new Date(ms));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const azArb = fc.oneof(
  fc.constantFrom('us-east-1a', 'eu-west-3c', 'us-gov-west-1b', 'us-east-1-bos-1a', 'use1-az1', 'euw3-az12', 'usw2-lax1-az1'),
  fc.tuple(fc.constantFrom('use1', 'apne1', 'usw2'), fc.integer({ min: 1, max: 99 })).map(([r, n]) => `${r}-az${n}`),
);
const natArb = fc.oneof(fc.stringMatching(/^nat-[0-9a-f]{17}$/), fc.stringMatching(/^nat-[0-9a-f]{8}$/), fc.constantFrom('nat-a', 'nat-b'));
const byArb = fc.stringMatching(/^[A-Za-z0-9._@:/+,-]{1,128}$/);
const text = fc.string({ minLength: 1, maxLength: 200 });

const pinArb: fc.Arbitrary<Pin> = fc.record({ awayFromAz: azArb, target: maybe(natArb), until: maybe(instant), reason: fc.oneof(fc.constant(''), text), by: byArb });
const stateArb: fc.Arbitrary<TableState> = fc.record({
  mode: fc.constantFrom('home', 'failed-over', 'pinned'),
  since: maybe(instant),
  reason: maybe(text),
  homeNat: maybe(natArb),
  homeAz: maybe(azArb),
  homeOkSince: maybe(instant),
  flaps: fc.integer({ min: 0, max: 16 }),
  lastRestore: maybe(instant),
  blackholeNat: maybe(natArb),
  pin: maybe(pinArb),
});

/** The tags a release before the compaction wrote for `s` (14 keys at most). */
function legacyTags(s: TableState): Record<string, string> {
  const out: Record<string, string> = { [TAGS.state]: s.mode };
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out[k] = v;
  };
  put(TAGS.since, s.since?.toISOString());
  put(TAGS.reason, s.reason);
  put(TAGS.homeNat, s.homeNat);
  put(TAGS.homeAz, s.homeAz);
  put(TAGS.homeOkSince, s.homeOkSince?.toISOString());
  if (s.flaps > 0) out[TAGS.flaps] = String(s.flaps);
  put(LEGACY_TAGS.lastRestore, s.lastRestore?.toISOString());
  put(TAGS.blackholeNat, s.blackholeNat);
  if (s.pin) {
    put(LEGACY_TAGS.pinAwayFrom, s.pin.awayFromAz);
    put(LEGACY_TAGS.pinTarget, s.pin.target);
    put(LEGACY_TAGS.pinUntil, s.pin.until?.toISOString());
    put(TAGS.pinReason, s.pin.reason);
    put(LEGACY_TAGS.pinBy, s.pin.by);
  }
  return out;
}

const apply = (tags: Record<string, string>, d: { set: Record<string, string>; remove: readonly string[] }) => {
  const out = { ...tags, ...d.set };
  for (const k of d.remove) delete out[k];
  return out;
};
const LEGACY_KEYS: readonly string[] = Object.values(LEGACY_TAGS);
// fast-check records have no prototype; the reader's objects do.
const plain = (s: TableState): TableState => ({ ...s, pin: s.pin && { ...s.pin } });
const owned = (tags: Record<string, string>) => Object.keys(tags).filter((k) => k.startsWith(TAG_PREFIX));

describe('compact state tags: round trip', () => {
  it('any valid state -> tags -> state is the identity, and every value fits a tag', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const tags = stateTags(s);
        const { state, unreadable } = readStateChecked(tags);
        expect(unreadable).toEqual([]);
        expect(state).toStrictEqual(plain(s));
        expect(Object.values(tags).every((v) => Array.from(v).length <= 256)).toBe(true);
      }),
      RUNS,
    );
  });

  it('writes the pin as one readable line and the flap damping as count@instant', () => {
    const pin: Pin = { awayFromAz: 'use1-az1', until: new Date('2026-12-01T10:00:00Z'), by: 'alice', target: 'nat-0abc1234', reason: 'CHG-1 patching' };
    expect(pinValue(pin)).toBe('away-from=use1-az1 until=2026-12-01T10:00:00.000Z by=alice target=nat-0abc1234');
    const tags = stateTags({ ...readState({}), mode: 'pinned', flaps: 2, lastRestore: new Date('2026-11-29T10:00:00Z'), pin });
    expect(tags[TAGS.flaps]).toBe('2@2026-11-29T10:00:00.000Z');
    expect(tags[TAGS.pinReason]).toBe('CHG-1 patching');
    // Written by hand in the console, without milliseconds, it reads the same.
    expect(readState({ [TAGS.flaps]: '2@2026-11-29T10:00:00Z' })).toMatchObject({ flaps: 2, lastRestore: new Date('2026-11-29T10:00:00Z') });
    expect(readState({ [TAGS.pin]: 'away-from=use1-az1 until=2026-12-01T10:00:00Z by=alice target=nat-0abc1234' }).pin).toEqual({ ...pin, reason: '' });
  });

  it('makes any `by` safe for the one-line pin (spaces, `=`, unicode, 1000 characters)', () => {
    fc.assert(
      fc.property(pinArb, fc.string({ unit: 'grapheme', maxLength: 1000 }), (pin, by) => {
        const back = readState(stateTags({ ...readState({}), mode: 'pinned', pin: { ...pin, by } })).pin;
        expect(back).toStrictEqual({ ...pin, by: safeBy(by) });
        expect(back!.by.length).toBeLessThanOrEqual(128);
      }),
      RUNS,
    );
  });

  it('a fully populated pinned, failed-over table: 14 keys before the compaction, 10 now', () => {
    const full: TableState = {
      mode: 'pinned',
      since: at(-600),
      reason: 'pinned away',
      homeNat: 'nat-0000000a',
      homeAz: 'use1-az1',
      homeOkSince: at(-300),
      flaps: 2,
      lastRestore: at(-3000),
      blackholeNat: 'nat-0000000a',
      pin: { awayFromAz: 'use1-az1', target: 'nat-0000000b', until: at(3600), reason: 'patching', by: 'alice' },
    };
    expect(Object.keys(legacyTags(full))).toHaveLength(14);
    expect(Object.keys(stateTags(full))).toHaveLength(10);
    expect(Object.keys(TAGS)).toHaveLength(10);
    // And the planner's next write takes a deployed table from 14 keys to 10.
    const tags = { ...legacyTags(full), 'nat-failover': 'enabled' };
    const d = diffTags(tags, stateTags(readState(tags)));
    expect(owned(apply(tags, d))).toHaveLength(10);
  });
});

describe('compact state tags: migration from the legacy keys', () => {
  it('reads a legacy table as the same state, and the next write keeps it while removing every legacy key', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const legacy = { 'nat-failover': 'enabled', ...legacyTags(s) };
        const read = readStateChecked(legacy);
        expect(read.unreadable).toEqual([]);
        expect(read.state).toStrictEqual(plain(s));
        const d = diffTags(legacy, stateTags(read.state));
        const after = apply(legacy, d);
        expect(readState(after)).toStrictEqual(plain(s));
        expect(Object.keys(after).filter((k) => LEGACY_KEYS.includes(k))).toEqual([]);
        expect(after['nat-failover']).toBe('enabled');
        // Mid-migration (the create landed, the delete not yet): the same state again.
        expect(readState({ ...legacy, ...d.set })).toStrictEqual(plain(s));
      }),
      RUNS,
    );
  });

  it('a table with no room for the new key keeps its legacy keys, so the pin and flap count survive', () => {
    fc.assert(
      fc.property(stateArb, fc.integer({ min: 0, max: 10 }), (s, extra) => {
        const legacy = legacyTags(s);
        const owner = Object.fromEntries(Array.from({ length: Math.max(0, TAGS_PER_RESOURCE_MAX - Object.keys(legacy).length - extra + 5) }, (_, i) => [`team:${i}`, 'x']));
        const current = { ...owner, ...legacy };
        const { diff } = fitTagBudget(current, diffTags(current, stateTags(readState(current))));
        // Whatever fitted, and in whatever order the create and delete land, the state is the same.
        expect(readState(apply(current, diff))).toStrictEqual(plain(s));
        expect(readState({ ...current, ...diff.set })).toStrictEqual(plain(s));
      }),
      RUNS,
    );
  });

  it('through the planner: a legacy pinned, failed-over table is rewritten in the new keys with the same pin and flaps', () => {
    const s: TableState = {
      mode: 'pinned',
      since: at(-600),
      reason: 'pinned away from us-east-1a',
      homeNat: 'nat-a',
      homeAz: 'us-east-1a',
      homeOkSince: at(-300),
      flaps: 2,
      lastRestore: at(-3000),
      blackholeNat: undefined,
      pin: { awayFromAz: 'us-east-1a', target: 'nat-b', until: at(3600), reason: 'patching', by: 'alice smith' },
    };
    const inv = withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: legacyTags(s) }));
    const p = decideAt(observation(inv, {}), config()).plan;
    const a = actionFor(p, 'rtb-a')!;
    expect(a.routes).toEqual([]);
    expect(a.tags.remove).toEqual([LEGACY_TAGS.lastRestore, LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinBy, LEGACY_TAGS.pinTarget, LEGACY_TAGS.pinUntil]);
    const after = applyPlan(inv, p).routeTables.find((t) => t.id === 'rtb-a')!.tags;
    expect(readState(after).pin).toEqual({ ...s.pin, by: 'alice_smith' });
    expect(readState(after)).toMatchObject({ flaps: 2, lastRestore: at(-3000) });
    // 13 keys (no blackhole memory here) become 9.
    expect(owned(legacyTags(s))).toHaveLength(13);
    expect(owned(after)).toHaveLength(9);
  });
});

describe('compact state tags: hostile values in the new keys', () => {
  it('an unreadable pin is no pin (even with a readable legacy pin beside it), and is reported', () => {
    fc.assert(
      fc.property(garbagePin, fc.option(pinArb, { nil: undefined }), (junk, legacyPin) => {
        const base = legacyPin ? legacyTags({ ...readState({}), pin: legacyPin }) : {};
        const { state, unreadable } = readStateChecked({ ...base, [TAGS.pin]: junk });
        fc.pre(unreadable.length > 0 || state.pin === undefined);
        expect(state.pin).toBeUndefined();
        expect(unreadable.map((u) => u.key)).toEqual([TAGS.pin]);
        expect(unreadable[0]!.effect).toBe('the pin is invalid and not applied');
        expect(unreadable[0]!.value.length).toBeLessThanOrEqual(40);
      }),
      RUNS,
    );
  });

  it('an unreadable flaps value is no recent flap and no recent restore, and is reported', () => {
    fc.assert(
      fc.property(garbageFlaps, instant, (junk, legacyRestore) => {
        const { state, unreadable } = readStateChecked({ [TAGS.flaps]: junk, [LEGACY_TAGS.lastRestore]: legacyRestore.toISOString() });
        fc.pre(unreadable.length > 0);
        expect(state).toMatchObject({ flaps: 0, lastRestore: undefined });
        expect(unreadable.map((u) => u.key)).toEqual([TAGS.flaps]);
      }),
      RUNS,
    );
  });

  it('reads the examples a person could type by mistake as unreadable', () => {
    for (const v of ['away-from=us-east-1a until=next-tuesday by=ops', 'away-from=us-east-1a by=alice smith', 'away-from=us-east-1a  by=ops', 'until=2026-12-01T10:00:00Z by=ops', 'away-from=us-east-1a target=nat-XYZ', 'away-from=us-east-1a colour=red']) {
      expect(readStateChecked({ [TAGS.pin]: v }).unreadable.map((u) => u.key)).toEqual([TAGS.pin]);
    }
    for (const v of ['2@', '2@yesterday', '-1', '1e3', '2@2027-02-30T00:00:00Z']) {
      expect(readStateChecked({ [TAGS.flaps]: v }).unreadable.map((u) => u.key)).toEqual([TAGS.flaps]);
    }
  });
});
