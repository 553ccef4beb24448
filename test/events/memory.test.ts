import { applyUpdates, EVACUATION_TAG_PREFIX, hashKey, MAX_ENTRIES_PER_AZ, type MemoryEntry, memoryTags, memoryWrites, readMemory } from '../../src/events/memory';
import type { SignalUpdate } from '../../src/events/types';
import type { Zone } from '../../src/core/types';

const zones: Zone[] = [
  { name: 'us-east-1a', id: 'use1-az6', state: 'available' },
  { name: 'us-east-1b', id: 'use1-az1', state: 'available' },
  { name: 'us-east-1c', id: 'use1-az2', state: 'available' },
];
const now = new Date('2026-11-23T12:10:00Z');
const HOUR = 3600;
const open = (key: string, zonesNamed: string[], at: Date | undefined = new Date('2026-11-23T12:05:00Z'), source: 'aws-health' | 'arc-autoshift' = 'aws-health'): SignalUpdate => ({
  kind: 'evacuation-open', source, key, zones: zonesNamed, at, detail: 'test',
});
const close = (key: string, source: 'aws-health' | 'arc-autoshift' = 'aws-health'): SignalUpdate => ({ kind: 'evacuation-close', source, key, at: now, detail: 'test' });

describe('evacuation memory', () => {
  it('opens an evacuation for the AZ named by id or name, dated by the event', () => {
    const r = applyUpdates([], [open('arn:1', ['use1-az2']), open('arn:2', ['us-east-1a'])], zones, now, 6 * HOUR);
    // Ordered by AZ id: use1-az2 is us-east-1c, use1-az6 is us-east-1a.
    expect(r.evacuations.map((e) => [e.az, e.source, e.since.toISOString()])).toEqual([
      ['us-east-1c', 'aws-health', '2026-11-23T12:05:00.000Z'],
      ['us-east-1a', 'aws-health', '2026-11-23T12:05:00.000Z'],
    ]);
    expect(r.memory.map((m) => m.azId)).toEqual(['use1-az2', 'use1-az6']);
  });

  it('de-duplicates the same key and keeps the latest confirmation', () => {
    const first = applyUpdates([], [open('arn:1', ['use1-az2'], new Date('2026-11-23T12:00:00Z'))], zones, now, 6 * HOUR);
    const again = applyUpdates(first.memory, [open('arn:1', ['use1-az2'], new Date('2026-11-23T12:08:00Z'))], zones, now, 6 * HOUR);
    expect(again.memory).toHaveLength(1);
    expect(again.memory[0]?.at).toEqual(new Date('2026-11-23T12:08:00Z'));
  });

  it('closes only the key it names; a source-wide close closes that source', () => {
    const m = applyUpdates([], [open('arn:1', ['use1-az2']), open('arn:2', ['use1-az2']), open('arc-autoshift:use1-az6', ['use1-az6'], undefined, 'arc-autoshift')], zones, now, 6 * HOUR).memory;
    const r1 = applyUpdates(m, [close('arn:1')], zones, now, 6 * HOUR);
    expect(r1.memory.map((e) => e.hash)).toEqual([hashKey('arn:2'), hashKey('arc-autoshift:use1-az6')]);
    const r2 = applyUpdates(m, [close('arc-autoshift:*', 'arc-autoshift')], zones, now, 6 * HOUR);
    expect(r2.memory.map((e) => e.source)).toEqual(['aws-health', 'aws-health']);
    expect(r2.evacuations.map((e) => e.az)).toEqual(['us-east-1c', 'us-east-1c']);
  });

  it('forgets an entry not confirmed within the maximum age, and ignores stale opens', () => {
    const old: MemoryEntry = { azId: 'use1-az2', source: 'aws-health', hash: hashKey('arn:1'), at: new Date(now.getTime() - 2 * HOUR * 1000) };
    const r = applyUpdates([old], [open('arn:9', ['use1-az1'], new Date(now.getTime() - 3 * HOUR * 1000))], zones, now, HOUR);
    expect(r.memory).toEqual([]);
    expect(r.evacuations).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/expired/);
    expect(r.notes.join('\n')).toMatch(/older than 3600s/);
  });

  it('ignores AZs of other regions, saying so', () => {
    const r = applyUpdates([], [open('arn:1', ['euw1-az1'])], zones, now, HOUR);
    expect(r.memory).toEqual([]);
    expect(r.notes[0]).toMatch(/euw1-az1, not an AZ of this region/);
  });

  it('dates an event from the future or without a time at now', () => {
    const r = applyUpdates([], [open('a', ['use1-az1'], new Date('2030-01-01T00:00:00Z')), { ...(open('b', ['use1-az6']) as object), at: undefined } as SignalUpdate], zones, now, HOUR);
    expect(r.memory.map((e) => e.at)).toEqual([now, now]);
  });

  it('round-trips through tags, union over tables, and survives garbage', () => {
    const m = applyUpdates([], [open('arn:1', ['use1-az2']), open('arc-autoshift:use1-az2', ['use1-az2'], undefined, 'arc-autoshift')], zones, now, HOUR).memory;
    const tags = memoryTags(m);
    expect(Object.keys(tags)).toEqual([`${EVACUATION_TAG_PREFIX}use1-az2`]);
    expect(tags[`${EVACUATION_TAG_PREFIX}use1-az2`]).toMatch(/^aws-health@2026-11-23T12:05:00Z#[0-9a-f]{10} arc-autoshift@2026-11-23T12:05:00Z#[0-9a-f]{10}$|^arc-autoshift@.* aws-health@/);
    const half = { tags: { [`${EVACUATION_TAG_PREFIX}use1-az2`]: (tags[`${EVACUATION_TAG_PREFIX}use1-az2`] as string).split(' ')[0] as string } };
    const rest = { tags: { ...tags, [`${EVACUATION_TAG_PREFIX}use1-az9`]: 'nonsense @@ x#y', Name: 'x' } };
    expect(readMemory([half, rest])).toEqual(m);
  });

  it('keeps the newest entries when more than fit one tag value', () => {
    const updates = Array.from({ length: MAX_ENTRIES_PER_AZ + 2 }, (_, i) => open(`arn:${i}`, ['use1-az2'], new Date(now.getTime() - (10 - i) * 60_000)));
    const m = applyUpdates([], updates, zones, now, HOUR).memory;
    const value = memoryTags(m)[`${EVACUATION_TAG_PREFIX}use1-az2`] as string;
    expect(value.length).toBeLessThanOrEqual(256);
    expect(readMemory([{ tags: memoryTags(m) }]).map((e) => e.hash).sort()).toEqual(updates.slice(2).map((u) => hashKey((u as { key: string }).key)).sort());
  });
});

describe('memory writes', () => {
  const m = applyUpdates([], [open('arn:1', ['use1-az2'])], zones, now, HOUR).memory;
  const key = `${EVACUATION_TAG_PREFIX}use1-az2`;

  it('writes nothing when every table already holds the memory (steady state)', () => {
    const tags = memoryTags(m);
    expect(memoryWrites([{ id: 'rtb-1', tags }, { id: 'rtb-2', tags: { ...tags, Name: 'x' } }], m)).toEqual({ set: [], remove: [] });
    expect(memoryWrites([{ id: 'rtb-1', tags: { Name: 'x' } }], [])).toEqual({ set: [], remove: [] });
  });

  it('groups identical writes into one call and removes closed AZ keys', () => {
    const tables: { id: string; tags: Record<string, string> }[] = [
      { id: 'rtb-2', tags: {} },
      { id: 'rtb-1', tags: {} },
      { id: 'rtb-3', tags: { [`${EVACUATION_TAG_PREFIX}use1-az6`]: 'aws-health@2026-11-23T12:00:00Z#0123456789', 'nat-failover:note': 'mine' } },
    ];
    const w = memoryWrites(tables, m);
    expect(w.set).toEqual([{ ids: ['rtb-1', 'rtb-2', 'rtb-3'], tags: { [key]: memoryTags(m)[key] } }]);
    expect(w.remove).toEqual([{ ids: ['rtb-3'], keys: [`${EVACUATION_TAG_PREFIX}use1-az6`] }]);
  });
});
