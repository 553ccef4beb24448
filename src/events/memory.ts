import { createHash } from 'node:crypto';
import { EVACUATION_MEMORY_PREFIX, TAG_VALUE_MAX, TAGS_PER_RESOURCE_MAX } from '../core/constants';
import { userTagCount } from '../core/state';
import { parseInstant } from '../core/time';
import type { Evacuation, RouteTable, Zone } from '../core/types';
import type { EvacuationSource, SignalUpdate } from './types';
import { resolveZone } from './zones';

/**
 * Evacuation signals are remembered as tags on every managed route table, one tag per AZ id:
 * `nat-failover:evacuate:<az-id>` = `<source>@<time>#<key-hash>[/closed] …`. Those tags come back
 * with the DescribeRouteTables call every run already makes, so remembering costs no read, and a
 * write only when a signal opens, closes or expires. Every table carries the whole memory, so any
 * one of them (and a table added later) is enough to recover it.
 *
 * Delivery is at least once, late and out of order: EventBridge may deliver an event more than
 * once, and Lambda retries a throttled asynchronous invocation for up to six hours, so an
 * `Autoshift In Progress` can arrive after its `Autoshift Completed`. The memory is therefore a
 * function of the events' own times, never of their arrival order: per key it keeps only the
 * latest event by event time (an open or a close; on a tie the close wins). That is a join
 * (max by time), so any permutation or duplication of the same events yields the same memory:
 *  - an open older than the last close of its key changes nothing (the close is remembered, as
 *    `…/closed`, for EVACUATION_MAX_AGE_SECONDS after it);
 *  - a close older than the open it would end does not end it;
 *  - a duplicate is a no-op;
 *  - a time in the future is read as now (clock skew must not pin a signal open or closed).
 * The latest event also says where: an open evacuates the AZs it names, and a close is remembered
 * under the AZs it names (ARC: the AZ of its key; Health: the AZs its text names). A close that
 * names no AZ is kept under `nat-failover:evacuate:unzoned`, so a late open of that key still finds
 * it (keys are matched by hash across all the tags, whatever AZ they sit under).
 *
 * The keys are deliberately NOT in TAGS: the planner's diffTags removes only keys in TAGS, so it
 * leaves these alone, and this module alone writes them.
 */
/** One definition: the planner reserves tag room under the same prefix (core/constants.ts). */
export const EVACUATION_TAG_PREFIX = EVACUATION_MEMORY_PREFIX;

/** Where a close that names no AZ is remembered. */
export const UNZONED = 'unzoned';

/** At most this many entries per tag value (and never more than fit its 256 characters). */
export const MAX_ENTRIES_PER_AZ = 5;

const SOURCES: readonly EvacuationSource[] = ['aws-health', 'arc-autoshift', 'arc-zonal-shift', 'arc-fis-experiment'];

export type MemoryStatus = 'open' | 'closed';

export interface MemoryEntry {
  /** AZ id (use1-az2), or UNZONED for a close that named no AZ. */
  readonly azId: string;
  readonly source: EvacuationSource;
  /** Short hash of the de-duplication key (an event ARN is too long for a tag value). */
  readonly hash: string;
  /** The latest event of the key, by event time: open (evacuate) or closed (a tombstone). */
  readonly status: MemoryStatus;
  /** That event's own time (whole seconds, never in the future); the maximum age counts from here. */
  readonly at: Date;
}

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 10);

const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const ENTRY = /^([a-z-]+)@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)#([0-9a-f]{10})(\/closed)?$/;

interface State {
  readonly status: MemoryStatus;
  readonly at: Date;
  readonly source: EvacuationSource;
  /** AZ ids the winning event named (an open: where to evacuate; a close: where to remember it). */
  readonly azIds: ReadonlySet<string>;
}

/**
 * The later event wins, with the AZs it names; on equal times the close wins; two events of the
 * same time and status are one (their AZs united). Associative, commutative and idempotent, so
 * the result does not depend on the order or the repetition of events.
 */
function join(a: State | undefined, b: State): State {
  if (!a) return b;
  const d = a.at.getTime() - b.at.getTime();
  if (d !== 0) return d > 0 ? a : b;
  if (a.status !== b.status) return a.status === 'closed' ? a : b;
  const azIds = new Set([...a.azIds, ...b.azIds]);
  if (azIds.size === a.azIds.size && a.source <= b.source) return a;
  return { ...a, source: a.source <= b.source ? a.source : b.source, azIds };
}

export const formatEntry = (e: MemoryEntry): string => `${e.source}@${iso(e.at)}#${e.hash}${e.status === 'closed' ? '/closed' : ''}`;

/** The memory as the tables hold it: the join over tables (a half-written memory still counts). */
export function readMemory(tables: readonly Pick<RouteTable, 'tags'>[]): MemoryEntry[] {
  const found: MemoryEntry[] = [];
  for (const t of tables) {
    for (const [k, v] of Object.entries(t.tags)) {
      if (!k.startsWith(EVACUATION_TAG_PREFIX)) continue;
      const azId = k.slice(EVACUATION_TAG_PREFIX.length);
      for (const part of v.split(/\s+/)) {
        const m = ENTRY.exec(part);
        const source = SOURCES.find((s) => s === m?.[1]);
        // The strict reader: the pattern alone lets 2027-02-30T00:00:00Z through, rolled into March.
        const at = parseInstant(m?.[2]);
        if (!m || !source || !at) continue;
        found.push({ azId, source, hash: m[3] as string, status: m[4] ? 'closed' : 'open', at });
      }
    }
  }
  return canonical(byKey(found));
}

/** Per key hash: the latest event, by event time. */
type Keyed = Map<string, State>;

function byKey(entries: readonly MemoryEntry[]): Keyed {
  const keyed: Keyed = new Map();
  for (const e of entries) {
    const azIds = new Set(e.azId === UNZONED ? [] : [e.azId]);
    keyed.set(e.hash, join(keyed.get(e.hash), { status: e.status, at: e.at, source: e.source, azIds }));
  }
  return keyed;
}

/** One entry per key and AZ it names; UNZONED when it names none (a close that named no AZ). */
function canonical(keyed: Keyed): MemoryEntry[] {
  const out: MemoryEntry[] = [];
  for (const [hash, state] of keyed) {
    for (const azId of state.azIds.size > 0 ? state.azIds : [UNZONED]) out.push({ azId, source: state.source, hash, status: state.status, at: state.at });
  }
  return sortEntries(out);
}

const sortEntries = (xs: MemoryEntry[]): MemoryEntry[] =>
  xs.sort((a, b) => a.azId.localeCompare(b.azId) || a.at.getTime() - b.at.getTime() || a.hash.localeCompare(b.hash) || a.status.localeCompare(b.status));

export interface MemoryOutcome {
  readonly memory: readonly MemoryEntry[];
  /** The open signals for the health rules, AZ ids mapped to names of this region. */
  readonly evacuations: readonly Evacuation[];
  /** What happened to the memory and why, for the log. */
  readonly notes: readonly string[];
}

/**
 * Pure: memory + updates + clock → the new memory and the open evacuations. Entries (open or
 * closed) older than the maximum age go: an open nobody confirmed is forgotten, and a close that old
 * can no longer matter (any open it would outrank is itself too old to be taken). Updates are
 * joined in by their own time, so their order and repetition do not matter.
 */
export function applyUpdates(
  memory: readonly MemoryEntry[],
  updates: readonly SignalUpdate[],
  zones: readonly Zone[],
  now: Date,
  maxAgeSeconds: number,
): MemoryOutcome {
  const notes: string[] = [];
  const fresh = (at: Date) => now.getTime() - at.getTime() < maxAgeSeconds * 1000;
  const keyed = byKey(memory);
  for (const [hash, state] of [...keyed]) {
    if (fresh(state.at)) continue;
    keyed.delete(hash);
    if (state.status === 'open') notes.push(`evacuation of ${[...state.azIds].join(', ')} (${state.source}#${hash}) expired: not confirmed for ${maxAgeSeconds}s`);
  }
  for (const u of updates) {
    if (u.kind !== 'evacuation-open' && u.kind !== 'evacuation-close') continue;
    const at = seconds(u.at && u.at < now ? u.at : now);
    const status: MemoryStatus = u.kind === 'evacuation-open' ? 'open' : 'closed';
    if (!fresh(at)) {
      notes.push(`${u.source} ${u.key} ignored: ${status === 'open' ? 'opened' : 'closed'} ${iso(at)}, older than ${maxAgeSeconds}s`);
      continue;
    }
    const hash = hashKey(u.key);
    const spared = new Set((u.kind === 'evacuation-open' ? u.spared ?? [] : []).map((t) => resolveZone(t, zones)?.id));
    const named = new Set<string>();
    for (const token of u.zones) {
      const zone = resolveZone(token, zones);
      if (!zone) notes.push(`${u.source} ${u.key} names ${token}, not an AZ of this region: ignored`);
      else if (spared.has(zone.id)) notes.push(`${u.source} ${u.key} also names ${token} as healthy or as where traffic went: not evacuated`);
      else named.add(zone.id);
    }
    // Nothing here to evacuate; and a close that names only other regions' AZs is about them.
    if (named.size === 0 && (status === 'open' || u.zones.length > 0)) continue;
    const before = keyed.get(hash);
    const incoming: State = { status, at, source: u.source, azIds: named };
    const state = join(before, incoming);
    keyed.set(hash, state);
    const where = [...state.azIds].join(', ') || 'no AZ named';
    if (before && state === before) {
      const why = before.at.getTime() === at.getTime() && before.status === status ? 'a duplicate, nothing changes' : `ignored: the key was already ${before.status} by ${before.at.getTime() === at.getTime() ? 'a close of the same second' : 'a later event'} (${iso(before.at)})`;
      notes.push(`${u.source} ${u.key}: ${u.detail} at ${iso(at)}; ${why}`);
    } else {
      notes.push(`${u.source} ${u.key}: ${u.detail} at ${iso(at)}; ${state.status === 'open' ? 'evacuating' : 'closed, remembered for'} ${where}`);
    }
  }
  const kept = canonical(keyed);
  const evacuations: Evacuation[] = [];
  for (const e of kept) {
    if (e.status !== 'open') continue;
    const zone = resolveZone(e.azId, zones);
    if (zone) evacuations.push({ az: zone.name, source: e.source, id: `${e.source}#${e.hash}`, since: e.at });
  }
  return { memory: kept, evacuations, notes };
}

/**
 * The tags that hold `memory`: per AZ, open entries first (newest first), then closes (newest
 * first), as many as fit one tag value. An open is never dropped for a close.
 */
export function memoryTags(memory: readonly MemoryEntry[]): Record<string, string> {
  const byAz = new Map<string, MemoryEntry[]>();
  for (const e of memory) byAz.set(e.azId, [...(byAz.get(e.azId) ?? []), e]);
  const out: Record<string, string> = {};
  for (const [azId, entries] of [...byAz].sort(([a], [b]) => a.localeCompare(b))) {
    const ranked = [...entries].sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) || b.at.getTime() - a.at.getTime() || a.hash.localeCompare(b.hash));
    const chosen: MemoryEntry[] = [];
    let length = -1;
    for (const e of ranked) {
      const l = formatEntry(e).length + 1;
      if (chosen.length >= MAX_ENTRIES_PER_AZ || length + l > TAG_VALUE_MAX) break;
      chosen.push(e);
      length += l;
    }
    out[`${EVACUATION_TAG_PREFIX}${azId}`] = sortEntries(chosen).map(formatEntry).join(' ');
  }
  return out;
}


export interface MemoryWrites {
  readonly set: readonly { readonly ids: readonly string[]; readonly tags: Readonly<Record<string, string>> }[];
  readonly remove: readonly { readonly ids: readonly string[]; readonly keys: readonly string[] }[];
  /** New memory keys a table has no room for (EC2's 50 tags): not written, to be reported. */
  readonly overBudget: readonly { readonly id: string; readonly keys: readonly string[] }[];
}

/**
 * The tag writes that make every table hold `memory`, grouped so identical writes cost one call.
 * Counted against EC2's 50 tags before writing, so a full table costs a report, not a failed
 * CreateTags: rewriting a key it already has is free; new keys go in while there is room, keys
 * holding an open evacuation before those holding only closes. Removals are not counted as room
 * (they run alongside the writes).
 */
export function memoryWrites(tables: readonly Pick<RouteTable, 'id' | 'tags'>[], memory: readonly MemoryEntry[]): MemoryWrites {
  const desired = memoryTags(memory);
  const holdsOpen = (value: string) => value.split(' ').some((e) => !e.endsWith('/closed'));
  const sets = new Map<string, { ids: string[]; tags: Record<string, string> }>();
  const removes = new Map<string, { ids: string[]; keys: string[] }>();
  const overBudget: { id: string; keys: string[] }[] = [];
  for (const t of [...tables].sort((a, b) => a.id.localeCompare(b.id))) {
    const set: Record<string, string> = {};
    const added: string[] = [];
    for (const [k, v] of Object.entries(desired)) {
      if (t.tags[k] === v) continue;
      if (k in t.tags) set[k] = v;
      else added.push(k);
    }
    added.sort((a, b) => Number(holdsOpen(desired[b] as string)) - Number(holdsOpen(desired[a] as string)) || a.localeCompare(b));
    const room = Math.max(0, TAGS_PER_RESOURCE_MAX - userTagCount(t.tags));
    for (const k of added.slice(0, room)) set[k] = desired[k] as string;
    if (added.length > room) overBudget.push({ id: t.id, keys: added.slice(room) });
    const keys = Object.keys(t.tags).filter((k) => k.startsWith(EVACUATION_TAG_PREFIX) && !(k in desired)).sort();
    if (Object.keys(set).length > 0) {
      const g = JSON.stringify(set);
      sets.set(g, { ids: [...(sets.get(g)?.ids ?? []), t.id], tags: set });
    }
    if (keys.length > 0) {
      const g = JSON.stringify(keys);
      removes.set(g, { ids: [...(removes.get(g)?.ids ?? []), t.id], keys });
    }
  }
  return { set: [...sets.values()], remove: [...removes.values()], overBudget };
}
