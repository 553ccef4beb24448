import { LEGACY_TAGS, TAGS, TAG_VALUE_MAX } from '../../src/core/constants';
import { diffTags, isEmptyDiff, readState, stateTags, truncate } from '../../src/core/state';
import type { TableState } from '../../src/core/types';
import { at } from './fixtures';

const HOME: TableState = {
  mode: 'home',
  since: undefined,
  reason: undefined,
  homeNat: undefined,
  homeAz: undefined,
  homeOkSince: undefined,
  flaps: 0,
  lastRestore: undefined,
  blackholeNat: undefined,
  pin: undefined,
};

describe('table state in tags', () => {
  const states: ReadonlyArray<[string, TableState]> = [
    ['a table at home with nothing recorded', HOME],
    ['a table at home after a restore', { ...HOME, since: at(-60), reason: 'at home', homeNat: 'nat-a', lastRestore: at(-60), flaps: 2 }],
    [
      'a failed-over table waiting for its home',
      { ...HOME, mode: 'failed-over', since: at(-600), reason: 'nat-a unhealthy', homeNat: 'nat-a', homeAz: 'use1-az1', homeOkSince: at(-30), flaps: 1, lastRestore: at(-3000) },
    ],
    ['a table that failed over from a blackholed home', { ...HOME, mode: 'failed-over', since: at(-600), reason: 'blackhole', homeNat: 'nat-a', blackholeNat: 'nat-a' }],
    [
      'a pinned table with an explicit target and an expiry',
      { ...HOME, mode: 'pinned', since: at(-5), reason: 'maintenance', homeNat: 'nat-a', pin: { awayFromAz: 'us-east-1a', target: 'nat-b', until: at(3600), reason: 'patching', by: 'alice' } },
    ],
    ['a pin without target nor expiry', { ...HOME, mode: 'pinned', pin: { awayFromAz: 'us-east-1a', target: undefined, until: undefined, reason: 'drill', by: 'bob' } }],
  ];

  it.each(states)('round-trips %s through its tags', (_name, state) => {
    // Act
    const back = readState(stateTags(state));

    // Assess
    expect(back).toStrictEqual(state);
  });

  it('reads an untagged table as at home with no history', () => {
    expect(readState({ 'nat-failover': 'enabled', Name: 'private-a' })).toStrictEqual(HOME);
  });

  const garbage: ReadonlyArray<[string, Record<string, string>, Partial<TableState>]> = [
    ['an unknown mode as home', { [TAGS.state]: 'sideways' }, { mode: 'home' }],
    ['an unparseable date as absent', { [TAGS.since]: 'yesterday' }, { since: undefined }],
    ['a negative flap count as zero', { [TAGS.flaps]: '-3' }, { flaps: 0 }],
    ['a fractional flap count as zero', { [TAGS.flaps]: '1.5' }, { flaps: 0 }],
    ['a huge flap count as capped', { [TAGS.flaps]: '99999' }, { flaps: 16 }],
    ['an empty home-nat as absent', { [TAGS.homeNat]: '' }, { homeNat: undefined }],
    ['pin details without an away-from AZ as no pin', { [LEGACY_TAGS.pinTarget]: 'nat-b', [TAGS.pinReason]: 'x' }, { pin: undefined }],
  ];
  it.each(garbage)('reads %s', (_name, tags, expected) => {
    expect(readState(tags)).toMatchObject(expected);
  });

  it('writes only keys under the nat-failover: prefix', () => {
    const tags = stateTags(states[3]![1]);
    for (const k of Object.keys(tags)) expect(k.startsWith('nat-failover:')).toBe(true);
  });

  it('truncates a long reason to the EC2 limit of 256 characters', () => {
    // Prepare
    const reason = 'r'.repeat(1000);

    // Act
    const tags = stateTags({ ...HOME, mode: 'failed-over', reason });

    // Assess
    const written = tags[TAGS.reason]!;
    expect(written).toHaveLength(TAG_VALUE_MAX);
    expect(written.endsWith('…')).toBe(true);
    expect(written.startsWith('r'.repeat(255))).toBe(true);
  });

  it('leaves a value of exactly 256 characters alone, and truncation is stable', () => {
    const exact = 'x'.repeat(TAG_VALUE_MAX);
    expect(truncate(exact)).toBe(exact);
    const cut = truncate('y'.repeat(TAG_VALUE_MAX + 1));
    expect(truncate(cut)).toBe(cut);
  });

  it('cuts by code points, never leaving half of a surrogate pair', () => {
    // Prepare: a surrogate pair straddles the cut point of a UTF-16 slice.
    const reason = `${'r'.repeat(TAG_VALUE_MAX - 2)}🚧 maintenance window`;

    // Act
    const cut = truncate(reason);

    // Assess: well-formed, at most 256 code points, the emoji whole.
    expect(cut).toBe(`${'r'.repeat(TAG_VALUE_MAX - 2)}🚧…`);
    expect(Array.from(cut)).toHaveLength(TAG_VALUE_MAX);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(cut)).toBe(false);
    // 200 emoji are 400 UTF-16 units but 200 characters: within the limit, not cut.
    expect(truncate('🚧'.repeat(200))).toBe('🚧'.repeat(200));
  });
});

describe('diffTags', () => {
  it('sets only changed controller keys and removes controller keys no longer wanted', () => {
    // Prepare
    const current = {
      'nat-failover': 'enabled',
      Name: 'private-a',
      [TAGS.state]: 'failed-over',
      [TAGS.since]: '2026-01-01T00:00:00.000Z',
      [TAGS.homeOkSince]: '2026-01-01T00:05:00.000Z',
      [TAGS.homeNat]: 'nat-a',
    };
    const desired = { [TAGS.state]: 'home', [TAGS.since]: '2026-01-01T00:10:00.000Z', [TAGS.homeNat]: 'nat-a' };

    // Act
    const d = diffTags(current, desired);

    // Assess
    expect(d).toStrictEqual({
      set: { [TAGS.state]: 'home', [TAGS.since]: '2026-01-01T00:10:00.000Z' },
      remove: [TAGS.homeOkSince],
    });
  });

  it('never sets or removes the managed tag nor a person\'s other keys, even under the prefix', () => {
    // Prepare
    const current = { 'nat-failover': 'enabled', Owner: 'team-net', 'nat-failover:note': 'do not delete', [TAGS.flaps]: '2' };
    const desired = { 'nat-failover': 'disabled', Owner: 'me', [TAGS.state]: 'home' };

    // Act
    const d = diffTags(current, desired);

    // Assess
    expect(d.set).toStrictEqual({ [TAGS.state]: 'home' });
    expect(d.remove).toStrictEqual([TAGS.flaps]);
  });

  it('is empty when the tags already describe the state', () => {
    const state: TableState = { ...HOME, mode: 'failed-over', since: at(0), reason: 'x'.repeat(400), homeNat: 'nat-a', flaps: 1 };
    const tags = { 'nat-failover': 'enabled', ...stateTags(state) };
    expect(isEmptyDiff(diffTags(tags, stateTags(readState(tags))))).toBe(true);
  });

  it('returns removals in a stable order', () => {
    const current = { [LEGACY_TAGS.pinTarget]: 'nat-b', [LEGACY_TAGS.pinAwayFrom]: 'us-east-1a', [TAGS.flaps]: '1' };
    expect(diffTags(current, {}).remove).toStrictEqual([TAGS.flaps, LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinTarget]);
  });
});
