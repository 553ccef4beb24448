import { TAGS, TAG_PREFIX, TAG_VALUE_MAX } from './constants';
import type { Pin, TableMode, TableState, TagDiff } from './types';

/**
 * The per-table state machine's memory lives in the route table's own tags, so the controller is
 * stateless between runs and an operator can read the state in the console.
 */

const date = (v: string | undefined): Date | undefined => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

const OWNED: ReadonlySet<string> = new Set(Object.values(TAGS));

const MODES: readonly TableMode[] = ['home', 'failed-over', 'pinned'];

export function readPin(tags: Readonly<Record<string, string>>): Pin | undefined {
  const awayFromAz = tags[TAGS.pinAwayFrom];
  if (!awayFromAz) return undefined;
  return {
    awayFromAz,
    target: tags[TAGS.pinTarget] || undefined,
    until: date(tags[TAGS.pinUntil]),
    reason: tags[TAGS.pinReason] ?? '',
    by: tags[TAGS.pinBy] ?? 'unknown',
  };
}

export function readState(tags: Readonly<Record<string, string>>): TableState {
  const mode = MODES.find((m) => m === tags[TAGS.state]) ?? 'home';
  const flaps = Number(tags[TAGS.flaps] ?? '0');
  return {
    mode,
    since: date(tags[TAGS.since]),
    reason: tags[TAGS.reason],
    homeNat: tags[TAGS.homeNat] || undefined,
    homeAz: tags[TAGS.homeAz] || undefined,
    homeOkSince: date(tags[TAGS.homeOkSince]),
    flaps: Number.isInteger(flaps) && flaps >= 0 ? Math.min(flaps, 16) : 0,
    lastRestore: date(tags[TAGS.lastRestore]),
    blackholeNat: tags[TAGS.blackholeNat] || undefined,
    pin: readPin(tags),
  };
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
