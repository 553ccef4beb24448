import { createHash } from 'node:crypto';
import { TAG_PREFIX, TAG_VALUE_MAX } from '../core/constants';
import { parseInstant } from '../core/time';
import type { Evacuation, RouteTable, Zone } from '../core/types';
import type { EvacuationSource, SignalUpdate } from './types';
import { resolveZone } from './zones';

/**
 * Open evacuation signals are remembered as tags on every managed route table:
 * `nat-failover:evacuate:<az-id>` = `<source>@<time>#<key-hash> …`. Those tags come back with the
 * DescribeRouteTables call every run already makes, so remembering costs no read, and a write only
 * when a signal opens, closes or expires. Every table carries the whole memory, so any one of them
 * (and a table added later) is enough to recover it.
 *
 * The keys are deliberately NOT in TAGS: the planner's diffTags removes only keys in TAGS, so it
 * leaves these alone, and this module alone writes them.
 */
export const EVACUATION_TAG_PREFIX = `${TAG_PREFIX}evacuate:` as const;

/** Five entries of at most 50 characters fit the 256-character tag value. */
export const MAX_ENTRIES_PER_AZ = 5;

const SOURCES: readonly EvacuationSource[] = ['aws-health', 'arc-autoshift', 'arc-zonal-shift', 'arc-fis-experiment'];

export interface MemoryEntry {
  readonly azId: string;
  readonly source: EvacuationSource;
  /** Short hash of the de-duplication key (an event ARN is too long for a tag value). */
  readonly hash: string;
  /** Last time AWS said it was open; the maximum age counts from here. */
  readonly at: Date;
}

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 10);

const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const ENTRY = /^([a-z-]+)@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)#([0-9a-f]{10})$/;

/** The memory as the tables hold it: the union over tables (a half-written memory still counts). */
export function readMemory(tables: readonly Pick<RouteTable, 'tags'>[]): MemoryEntry[] {
  const byId = new Map<string, MemoryEntry>();
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
        const entry: MemoryEntry = { azId, source, hash: m[3] as string, at };
        const id = `${azId}#${entry.hash}`;
        const seen = byId.get(id);
        if (!seen || seen.at < entry.at) byId.set(id, entry);
      }
    }
  }
  return sortEntries([...byId.values()]);
}

const sortEntries = (xs: MemoryEntry[]): MemoryEntry[] =>
  xs.sort((a, b) => a.azId.localeCompare(b.azId) || a.at.getTime() - b.at.getTime() || a.hash.localeCompare(b.hash));

export interface MemoryOutcome {
  readonly memory: readonly MemoryEntry[];
  /** The open signals for the health rules, AZ ids mapped to names of this region. */
  readonly evacuations: readonly Evacuation[];
  /** What happened to the memory and why, for the log. */
  readonly notes: readonly string[];
}

/**
 * Pure: memory + updates + clock → the new memory and the open evacuations. Expired entries go;
 * an open adds or refreshes an entry per AZ; a close removes its key wherever it is.
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
  const next = new Map<string, MemoryEntry>();
  for (const e of memory) {
    if (fresh(e.at)) next.set(`${e.azId}#${e.hash}`, e);
    else notes.push(`evacuation of ${e.azId} (${e.source}#${e.hash}) expired: not confirmed for ${maxAgeSeconds}s`);
  }
  for (const u of updates) {
    if (u.kind === 'evacuation-open') {
      const at = seconds(u.at && u.at < now ? u.at : now);
      if (!fresh(at)) {
        notes.push(`${u.source} ${u.key} ignored: sent ${iso(at)}, older than ${maxAgeSeconds}s`);
        continue;
      }
      const hash = hashKey(u.key);
      for (const token of u.zones) {
        const zone = resolveZone(token, zones);
        if (!zone) {
          notes.push(`${u.source} ${u.key} names ${token}, not an AZ of this region: ignored`);
          continue;
        }
        const id = `${zone.id}#${hash}`;
        const seen = next.get(id);
        next.set(id, { azId: zone.id, source: u.source, hash, at: seen && seen.at > at ? seen.at : at });
        notes.push(`${u.source} ${u.key}: ${u.detail}; evacuating ${zone.name} (${zone.id})`);
      }
    } else if (u.kind === 'evacuation-close') {
      const all = u.key === `${u.source}:*`;
      const hash = hashKey(u.key);
      const closed = [...next.entries()].filter(([, e]) => (all ? e.source === u.source : e.hash === hash));
      for (const [id] of closed) next.delete(id);
      notes.push(`${u.source} ${u.key}: ${u.detail}; ${closed.length > 0 ? `closed for ${[...new Set(closed.map(([, e]) => e.azId))].join(', ')}` : 'nothing open under that key'}`);
    }
  }
  const kept = sortEntries([...next.values()]);
  const evacuations: Evacuation[] = [];
  for (const e of kept) {
    const zone = resolveZone(e.azId, zones);
    if (zone) evacuations.push({ az: zone.name, source: e.source, id: `${e.source}#${e.hash}`, since: e.at });
  }
  return { memory: kept, evacuations, notes };
}

/** The tags that hold `memory`; per AZ the most recent entries that fit one tag value. */
export function memoryTags(memory: readonly MemoryEntry[]): Record<string, string> {
  const byAz = new Map<string, MemoryEntry[]>();
  for (const e of memory) byAz.set(e.azId, [...(byAz.get(e.azId) ?? []), e]);
  const out: Record<string, string> = {};
  for (const [azId, entries] of [...byAz].sort(([a], [b]) => a.localeCompare(b))) {
    const newest = [...entries].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_ENTRIES_PER_AZ);
    const value = sortEntries(newest).map((e) => `${e.source}@${iso(e.at)}#${e.hash}`).join(' ');
    out[`${EVACUATION_TAG_PREFIX}${azId}`] = value.slice(0, TAG_VALUE_MAX);
  }
  return out;
}

export interface MemoryWrites {
  readonly set: readonly { readonly ids: readonly string[]; readonly tags: Readonly<Record<string, string>> }[];
  readonly remove: readonly { readonly ids: readonly string[]; readonly keys: readonly string[] }[];
}

/** The tag writes that make every table hold `memory`, grouped so identical writes cost one call. */
export function memoryWrites(tables: readonly Pick<RouteTable, 'id' | 'tags'>[], memory: readonly MemoryEntry[]): MemoryWrites {
  const desired = memoryTags(memory);
  const sets = new Map<string, { ids: string[]; tags: Record<string, string> }>();
  const removes = new Map<string, { ids: string[]; keys: string[] }>();
  for (const t of [...tables].sort((a, b) => a.id.localeCompare(b.id))) {
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(desired)) if (t.tags[k] !== v) set[k] = v;
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
  return { set: [...sets.values()], remove: [...removes.values()] };
}
