import { LEGACY_TAGS, REPLACED_BY, TAGS, TAGS_PER_RESOURCE_MAX, TAG_PREFIX, TAG_VALUE_MAX } from './constants';
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

// The legacy keys are owned too, so the next write removes them (see LEGACY_TAGS).
const OWNED: ReadonlySet<string> = new Set([...Object.values(TAGS), ...Object.values(LEGACY_TAGS)]);

const MODES: readonly TableMode[] = ['home', 'failed-over', 'pinned'];
// Digits only (`Number` would also take `1e3`, `0x10`, ` 7 `); a huge count is capped, never reset.
// Bounded, so a hostile value is refused before any work: `<count>` or `<count>@<instant>`.
const FLAPS = /^(\d{1,6})(?:@(.{1,40}))?$/;
const FLAPS_MAX = 16;

// What a pin's machine-read facts may hold. Each value is one token (no spaces, no `=`) so the
// single `pin` tag splits unambiguously, and each is bounded so the tag fits EC2's 256 characters
// with room to spare: 10+32 + 7+24 + 4+BY_MAX + 8+21 = 234 at most.
// AZ names (us-east-1a, us-east-1-bos-1a) and AZ ids (use1-az1, usw2-lax1-az1), as requests take them.
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$|^[a-z]{2}(-[a-z]+)+-\d+(-[a-z0-9]+)+[a-z]$/;
const AZ_ID = /^[a-z]{2,5}\d+(-[a-z0-9]+)?-az\d+$/;
const AZ_MAX = 32;
// Real ids are `nat-` and 8 or 17 hex digits; lower-case alphanumerics keep the simulated region's
// short names (`nat-b`) readable while still refusing anything that could break the format.
const NAT_ID = /^nat-[0-9a-z]{1,17}$/;
/** Who pinned: an IAM ARN, a user or session name. Other characters are replaced on write. */
export const BY_MAX = 128;
const BY = /^[A-Za-z0-9._@:/+,-]{1,128}$/;

const isZone = (v: string): boolean => v.length <= AZ_MAX && (AZ_NAME.test(v) || AZ_ID.test(v));

/** `by` as the pin tag can hold it: unsafe characters become `_`, cut to BY_MAX, never empty. */
export function safeBy(by: string): string {
  const clean = Array.from(by, (c) => (/^[A-Za-z0-9._@:/+,-]$/.test(c) ? c : '_')).join('').slice(0, BY_MAX);
  return clean === '' ? 'unknown' : clean;
}

const PIN_FORMAT = 'away-from=<AZ> [until=<ISO 8601 UTC instant>] [by=<who>] [target=<nat id>], e.g. away-from=use1-az1 until=2026-12-01T10:00:00Z by=alice';

/**
 * The `pin` tag's value: the facts the planner reads, in one key. The free-text reason is not
 * here (it has its own key and all of its 256 characters).
 */
export function pinValue(pin: Pin): string {
  const parts = [`away-from=${pin.awayFromAz}`];
  if (pin.until) parts.push(`until=${pin.until.toISOString()}`);
  parts.push(`by=${safeBy(pin.by)}`);
  if (pin.target) parts.push(`target=${pin.target}`);
  return parts.join(' ');
}

/** The pin facts in `text`, or undefined when any part is unreadable (never a partial pin). */
function parsePinValue(text: string): Omit<Pin, 'reason'> | undefined {
  if (text.length > TAG_VALUE_MAX) return undefined;
  const fields = new Map<string, string>();
  for (const part of text.split(' ')) {
    const m = /^(away-from|until|by|target)=(.+)$/.exec(part);
    if (!m || fields.has(m[1]!)) return undefined;
    fields.set(m[1]!, m[2]!);
  }
  const awayFromAz = fields.get('away-from');
  if (awayFromAz === undefined || !isZone(awayFromAz)) return undefined;
  const untilText = fields.get('until');
  const until = untilText === undefined ? undefined : parseInstant(untilText);
  if (untilText !== undefined && until === undefined) return undefined;
  const by = fields.get('by') ?? 'unknown';
  if (!BY.test(by)) return undefined;
  const target = fields.get('target');
  if (target !== undefined && !NAT_ID.test(target)) return undefined;
  return { awayFromAz, until, by, target };
}

/** `<count>` or `<count>@<instant>`: the flaps tag's value (undefined: no key). */
export function flapsValue(flaps: number, lastRestore: Date | undefined): string | undefined {
  if (lastRestore) return `${flaps}@${lastRestore.toISOString()}`;
  return flaps > 0 ? String(flaps) : undefined;
}

/**
 * Reads `tags` strictly, collecting what it could not read. Every instant goes through the one
 * strict parser (core/time.ts): a value `new Date()` would accept loosely (`1`, `2026`,
 * `2027-02-30`) is unreadable. An unreadable tag is treated as absent, which never makes the
 * controller act sooner than the same table without the tag: an absent `home-ok-since` restarts
 * the hold-down at now, an absent `since` is now. An unreadable pin (its `until=` included) invalidates the whole
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
  const text = tags[TAGS.pin];
  // The new key wins whenever it is there, readable or not: an unreadable one invalidates the pin
  // (absent `until` would mean "forever"), so garbage can never pin a table, let alone for good.
  if (text !== undefined) {
    const facts = parsePinValue(text);
    if (facts === undefined) {
      r.bad(TAGS.pin, PIN_FORMAT, 'the pin is invalid and not applied');
      return undefined;
    }
    return { ...facts, reason: tags[TAGS.pinReason] ?? '' };
  }
  return legacyPinOf(tags, r);
}

/**
 * A pin in the five keys written before the compaction. Held to the same rules as the new key, so
 * the pin the next write carries over is exactly the pin read here: an away-from AZ or target that
 * the new key could not hold invalidates the pin (reported), and `by` is made safe.
 */
function legacyPinOf(tags: Readonly<Record<string, string>>, r: ReturnType<typeof reader>): Pin | undefined {
  const awayFromAz = tags[LEGACY_TAGS.pinAwayFrom];
  if (!awayFromAz) return undefined;
  const invalid = `the pin away from ${excerpt(awayFromAz, 32)} is invalid and not applied`;
  if (!isZone(awayFromAz)) {
    r.bad(LEGACY_TAGS.pinAwayFrom, 'an AZ name or id such as us-east-1a or use1-az1', invalid);
    return undefined;
  }
  const target = tags[LEGACY_TAGS.pinTarget] || undefined;
  if (target !== undefined && !NAT_ID.test(target)) {
    r.bad(LEGACY_TAGS.pinTarget, 'a NAT gateway id such as nat-0123456789abcdef0', invalid);
    return undefined;
  }
  // Present but unreadable (an empty value included): the pin is invalid, never "until forever".
  const untilText = tags[LEGACY_TAGS.pinUntil];
  const until = r.instant(LEGACY_TAGS.pinUntil, invalid);
  if (untilText !== undefined && until === undefined) return undefined;
  return { awayFromAz, target, until, reason: tags[TAGS.pinReason] ?? '', by: safeBy(tags[LEGACY_TAGS.pinBy] ?? 'unknown') };
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
  const { flaps, lastRestore } = flapsOf(tags, r);
  const state: TableState = {
    mode: mode ?? 'home',
    since: r.instant(TAGS.since, 'read as now'),
    reason: tags[TAGS.reason],
    homeNat: tags[TAGS.homeNat] || undefined,
    homeAz: tags[TAGS.homeAz] || undefined,
    homeOkSince: r.instant(TAGS.homeOkSince, 'the restore hold-down starts again now'),
    flaps,
    lastRestore,
    blackholeNat: tags[TAGS.blackholeNat] || undefined,
    pin: pinOf(tags, r),
  };
  return { state, unreadable: r.unreadable };
}

/**
 * Flap damping: `<count>@<last restore>` in one key, or a bare count (then the restore time, if
 * any, is the legacy `last-restore` key). Unreadable: no recent flaps, as an absent key reads.
 */
function flapsOf(tags: Readonly<Record<string, string>>, r: ReturnType<typeof reader>): { flaps: number; lastRestore: Date | undefined } {
  const text = tags[TAGS.flaps];
  const legacyRestore = () => r.instant(LEGACY_TAGS.lastRestore, 'read as no recent restore');
  if (text === undefined) return { flaps: 0, lastRestore: legacyRestore() };
  const m = FLAPS.exec(text);
  const at = m?.[2] === undefined ? undefined : parseInstant(m[2]);
  if (!m || (m[2] !== undefined && at === undefined)) {
    r.bad(TAGS.flaps, 'a whole number and the last restore, such as 2@2026-11-29T10:00:00Z', 'read as no recent flaps');
    return { flaps: 0, lastRestore: undefined };
  }
  const flaps = Math.min(Number(m[1]), FLAPS_MAX);
  return { flaps, lastRestore: m[2] === undefined ? legacyRestore() : at };
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
  put(TAGS.flaps, flapsValue(s.flaps, s.lastRestore));
  put(TAGS.blackholeNat, s.blackholeNat);
  if (s.pin) {
    put(TAGS.pin, pinValue(s.pin));
    put(TAGS.pinReason, s.pin.reason);
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
 * Which new keys go first when a table has room for only some: what the next decision needs most.
 */
const WRITE_ORDER: readonly string[] = [
  TAGS.state,
  TAGS.homeNat,
  TAGS.blackholeNat,
  TAGS.homeOkSince,
  TAGS.flaps,
  TAGS.since,
  // One key holds the pin's expiry with the pin, so a half-written pin cannot be a permanent one.
  TAGS.pin,
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
  // A legacy key stays while its replacement is not written: a table with no room for the new key
  // keeps its pin and flap count in the old keys, which are still read.
  const kept = new Set(dropped.flatMap((k) => REPLACED_BY[k] ?? []));
  return { diff: { set, remove: diff.remove.filter((k) => !kept.has(k)) }, dropped, count };
}
