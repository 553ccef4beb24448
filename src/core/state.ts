import { TAGS, TAGS_PER_RESOURCE_MAX, TAG_PREFIX, TAG_VALUE_MAX } from './constants';
import { excerpt, parseInstant } from './time';
import type { Pin, TableMode, TableState, TagDiff } from './types';

/**
 * The per-table state machine's memory lives in the route table's own tags, so the controller is
 * stateless between runs and an operator can read the state in the console.
 */

/** A state tag the controller could not read: treated as absent, and reported. */
export interface UnreadableTag {
  readonly key: string;
  /** A short printable excerpt of the value. */
  readonly value: string;
  /** What a readable value looks like. */
  readonly expected: string;
  /** What reading it as absent means for the table. */
  readonly effect: string;
}

const OWNED: ReadonlySet<string> = new Set(Object.values(TAGS));

const MODES: readonly TableMode[] = ['home', 'failed-over', 'pinned'];
// Digits only (`Number` would also take `1e3`, `0x10`, ` 7 `); a huge count is capped, never reset.
const FLAPS = /^\d+$/;

/**
 * Reads `tags` strictly, collecting what it could not read. Every instant goes through the one
 * strict parser (core/time.ts): a value `new Date()` would accept loosely (`1`, `2026`,
 * `2027-02-30`) is unreadable. An unreadable tag is treated as absent, which never makes the
 * controller act sooner than the same table without the tag: an absent `home-ok-since` restarts
 * the hold-down at now, an absent `since` is now. An unreadable `pin-until` invalidates the whole
 * pin (absent would mean "forever"), so garbage can never pin a table permanently.
 */
function reader(tags: Readonly<Record<string, string>>) {
  const unreadable: UnreadableTag[] = [];
  const bad = (key: string, expected: string, effect: string) => unreadable.push({ key, value: excerpt(tags[key] ?? ''), expected, effect });
  const instant = (key: string, effect: string): Date | undefined => {
    const v = tags[key];
    if (v === undefined) return undefined;
    const d = parseInstant(v);
    if (d === undefined) bad(key, 'an ISO 8601 UTC instant such as 2026-11-23T18:00:00Z', effect);
    return d;
  };
  return { unreadable, bad, instant };
}

function pinOf(tags: Readonly<Record<string, string>>, r: ReturnType<typeof reader>): Pin | undefined {
  const awayFromAz = tags[TAGS.pinAwayFrom];
  if (!awayFromAz) return undefined;
  // Present but unreadable (an empty value included): the pin is invalid, never "until forever".
  const untilText = tags[TAGS.pinUntil];
  const until = r.instant(TAGS.pinUntil, `the pin away from ${excerpt(awayFromAz, 32)} is invalid and not applied`);
  if (untilText !== undefined && until === undefined) return undefined;
  return {
    awayFromAz,
    target: tags[TAGS.pinTarget] || undefined,
    until,
    reason: tags[TAGS.pinReason] ?? '',
    by: tags[TAGS.pinBy] ?? 'unknown',
  };
}

export function readPin(tags: Readonly<Record<string, string>>): Pin | undefined {
  return pinOf(tags, reader(tags));
}

/** The recorded state and the tags that could not be read (each treated as absent). */
export function readStateChecked(tags: Readonly<Record<string, string>>): { readonly state: TableState; readonly unreadable: readonly UnreadableTag[] } {
  const r = reader(tags);
  const modeText = tags[TAGS.state];
  const mode = MODES.find((m) => m === modeText);
  if (modeText !== undefined && mode === undefined) r.bad(TAGS.state, MODES.join(', '), 'read as at home');
  const flapsText = tags[TAGS.flaps];
  if (flapsText !== undefined && !FLAPS.test(flapsText)) r.bad(TAGS.flaps, 'a whole number', 'read as no recent flaps');
  const flaps = flapsText !== undefined && FLAPS.test(flapsText) ? Math.min(Number(flapsText), 16) : 0;
  const state: TableState = {
    mode: mode ?? 'home',
    since: r.instant(TAGS.since, 'read as now'),
    reason: tags[TAGS.reason],
    homeNat: tags[TAGS.homeNat] || undefined,
    homeAz: tags[TAGS.homeAz] || undefined,
    homeOkSince: r.instant(TAGS.homeOkSince, 'the restore hold-down starts again now'),
    flaps,
    lastRestore: r.instant(TAGS.lastRestore, 'read as no recent restore'),
    blackholeNat: tags[TAGS.blackholeNat] || undefined,
    pin: pinOf(tags, r),
  };
  return { state, unreadable: r.unreadable };
}

export function readState(tags: Readonly<Record<string, string>>): TableState {
  return readStateChecked(tags).state;
}

/** The tags that describe `s`. Keys absent from the result mean "no value". */
export function stateTags(s: TableState): Record<string, string> {
  const out: Record<string, string> = { [TAGS.state]: s.mode };
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out[k] = truncate(v);
  };
  put(TAGS.since, s.since?.toISOString());
  put(TAGS.reason, s.reason);
  put(TAGS.homeNat, s.homeNat);
  put(TAGS.homeAz, s.homeAz);
  put(TAGS.homeOkSince, s.homeOkSince?.toISOString());
  if (s.flaps > 0) out[TAGS.flaps] = String(s.flaps);
  put(TAGS.lastRestore, s.lastRestore?.toISOString());
  put(TAGS.blackholeNat, s.blackholeNat);
  if (s.pin) {
    put(TAGS.pinAwayFrom, s.pin.awayFromAz);
    put(TAGS.pinTarget, s.pin.target);
    put(TAGS.pinUntil, s.pin.until?.toISOString());
    put(TAGS.pinReason, s.pin.reason);
    put(TAGS.pinBy, s.pin.by);
  }
  return out;
}

/**
 * Cut to the EC2 tag value limit, which counts Unicode characters (code points), not UTF-16 units.
 * Slicing UTF-16 could split a surrogate pair (an emoji in an operator's pin reason) and leave a
 * lone surrogate, which EC2 rejects, failing the grouped CreateTags for every table in the group.
 */
export function truncate(v: string): string {
  const chars = Array.from(v);
  return chars.length <= TAG_VALUE_MAX ? v : `${chars.slice(0, TAG_VALUE_MAX - 1).join('')}…`;
}

/**
 * Minimal write to go from `current` tags to `desired` state tags. Only keys under the
 * `nat-failover:` prefix are ever set or removed; the managed tag itself is never touched.
 */
export function diffTags(current: Readonly<Record<string, string>>, desired: Readonly<Record<string, string>>): TagDiff {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [k, v] of Object.entries(desired)) {
    if (!k.startsWith(TAG_PREFIX)) continue;
    if (current[k] !== v) set[k] = v;
  }
  for (const k of Object.keys(current)) {
    // Only keys the controller owns are removed; a person's own `nat-failover:note` stays.
    if (OWNED.has(k) && !(k in desired)) remove.push(k);
  }
  remove.sort();
  return { set, remove };
}

export const isEmptyDiff = (d: TagDiff): boolean => Object.keys(d.set).length === 0 && d.remove.length === 0;

/** Whether a key counts towards EC2's 50 tags per resource (`aws:` keys, in any case, do not). */
export const countsTowardsLimit = (key: string): boolean => !/^aws:/i.test(key);

export const userTagCount = (tags: Readonly<Record<string, string>>): number => Object.keys(tags).filter(countsTowardsLimit).length;

/**
 * Which new keys go first when a table has room for only some: what the next decision needs most,
 * and a pin's expiry before the pin itself, so a half-written pin can never be a permanent one.
 */
const WRITE_ORDER: readonly string[] = [
  TAGS.state,
  TAGS.homeNat,
  TAGS.blackholeNat,
  TAGS.homeOkSince,
  TAGS.lastRestore,
  TAGS.flaps,
  TAGS.since,
  TAGS.pinUntil,
  TAGS.pinTarget,
  TAGS.pinAwayFrom,
  TAGS.pinBy,
  TAGS.pinReason,
  TAGS.reason,
  TAGS.homeAz,
];
const rank = (k: string): number => {
  const i = WRITE_ORDER.indexOf(k);
  return i === -1 ? WRITE_ORDER.length : i;
};

export interface BudgetedDiff {
  /** The part of the write that fits: every removal and update, and the new keys there is room for. */
  readonly diff: TagDiff;
  /** New keys left out for want of room, in write order. */
  readonly dropped: readonly string[];
  /** User tags the table carries now. */
  readonly count: number;
}

/**
 * Fits a tag write into EC2's 50 user tags per resource, counted before writing: updates of
 * existing keys cost none, new keys take what is left after `reserve` (keys another writer, the
 * evacuation memory, may add this run), most needed first. Removals are not counted as room: the
 * controller sends its CreateTags and DeleteTags concurrently, so a removal may land after.
 */
export function fitTagBudget(current: Readonly<Record<string, string>>, diff: TagDiff, reserve = 0): BudgetedDiff {
  const count = userTagCount(current);
  const removed = new Set(diff.remove);
  let used = count + reserve;
  const set: Record<string, string> = {};
  const dropped: string[] = [];
  const entries = Object.entries(diff.set).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  for (const [k, v] of entries) {
    if (k in current && !removed.has(k)) set[k] = v;
    else if (!countsTowardsLimit(k) || used < TAGS_PER_RESOURCE_MAX) {
      set[k] = v;
      if (countsTowardsLimit(k)) used++;
    } else dropped.push(k);
  }
  return { diff: { set, remove: diff.remove }, dropped, count };
}
