import fc from 'fast-check';
import { applyUpdates, EVACUATION_TAG_PREFIX, hashKey, MAX_ENTRIES_PER_AZ, type MemoryEntry, memoryTags, memoryWrites, readMemory, UNZONED } from '../../src/events/memory';
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
const close = (key: string, source: 'aws-health' | 'arc-autoshift' = 'aws-health', at: Date | undefined = now, zonesNamed: string[] = []): SignalUpdate => ({ kind: 'evacuation-close', source, key, zones: zonesNamed, at, detail: 'test' });

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

  it('closes only the key it names, and remembers the close under the AZ', () => {
    const m = applyUpdates([], [open('arn:1', ['use1-az2']), open('arn:2', ['use1-az2']), open('arc-autoshift:use1-az6', ['use1-az6'], undefined, 'arc-autoshift')], zones, now, 6 * HOUR).memory;
    const r1 = applyUpdates(m, [close('arn:1', 'aws-health', now, ['use1-az2'])], zones, now, 6 * HOUR);
    expect(r1.evacuations.map((e) => e.id)).toEqual([`aws-health#${hashKey('arn:2')}`, `arc-autoshift#${hashKey('arc-autoshift:use1-az6')}`]);
    expect(r1.memory.filter((e) => e.status === 'closed')).toEqual([{ azId: 'use1-az2', source: 'aws-health', hash: hashKey('arn:1'), status: 'closed', at: now }]);
  });

  it('forgets an entry not confirmed within the maximum age, and ignores stale opens', () => {
    const old: MemoryEntry = { azId: 'use1-az2', source: 'aws-health', hash: hashKey('arn:1'), status: 'open', at: new Date(now.getTime() - 2 * HOUR * 1000) };
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
  it('counts EC2\'s 50 tags before writing: a full table gets updates, and new keys only while there is room, opens first', () => {
    const mem = applyUpdates([], [open('arn:1', ['use1-az2']), close('arn:2', 'aws-health', now, ['use1-az6'])], zones, now, HOUR).memory;
    const owner = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`owner:${i}`, 'x']));
    const desired = memoryTags(mem);
    const openKey = `${EVACUATION_TAG_PREFIX}use1-az2`;
    const closedKey = `${EVACUATION_TAG_PREFIX}use1-az6`;
    const w = memoryWrites(
      [
        { id: 'rtb-full', tags: { ...owner(49), 'aws:cloudformation:stack-name': 's', [closedKey]: 'old' } },
        { id: 'rtb-one', tags: { ...owner(49), 'aws:x': 'y' } },
        { id: 'rtb-roomy', tags: owner(10) },
      ],
      mem,
    );
    expect(w.set).toEqual([
      { ids: ['rtb-full'], tags: { [closedKey]: desired[closedKey] } },
      { ids: ['rtb-one'], tags: { [openKey]: desired[openKey] } },
      { ids: ['rtb-roomy'], tags: desired },
    ]);
    expect(w.overBudget).toEqual([
      { id: 'rtb-full', keys: [openKey] },
      { id: 'rtb-one', keys: [closedKey] },
    ]);
  });

  const m = applyUpdates([], [open('arn:1', ['use1-az2'])], zones, now, HOUR).memory;
  const key = `${EVACUATION_TAG_PREFIX}use1-az2`;

  it('writes nothing when every table already holds the memory (steady state)', () => {
    const tags = memoryTags(m);
    expect(memoryWrites([{ id: 'rtb-1', tags }, { id: 'rtb-2', tags: { ...tags, Name: 'x' } }], m)).toEqual({ set: [], remove: [], overBudget: [] });
    expect(memoryWrites([{ id: 'rtb-1', tags: { Name: 'x' } }], [])).toEqual({ set: [], remove: [], overBudget: [] });
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

/**
 * At-least-once, late and reordered delivery (EventBridge delivers at least once; Lambda retries a
 * throttled asynchronous event for up to six hours). The memory must follow the events' own times.
 */
describe('evacuation memory under late, duplicate and reordered events', () => {
  const at = (min: number) => new Date(now.getTime() + min * 60_000);
  const autoshift = (kind: 'open' | 'close', min: number): SignalUpdate =>
    kind === 'open'
      ? { kind: 'evacuation-open', source: 'arc-autoshift', key: 'arc-autoshift:use1-az2', zones: ['use1-az2'], at: at(min), detail: 'Autoshift In Progress' }
      : { kind: 'evacuation-close', source: 'arc-autoshift', key: 'arc-autoshift:use1-az2', zones: ['use1-az2'], at: at(min), detail: 'Autoshift Completed' };

  it('an Autoshift In Progress redelivered after its Autoshift Completed does not re-open the evacuation', () => {
    const started = applyUpdates([], [autoshift('open', -60)], zones, now, 6 * HOUR);
    const completed = applyUpdates(started.memory, [autoshift('close', -10)], zones, now, 6 * HOUR);
    expect(completed.evacuations).toEqual([]);
    // Through the tags, as the next run reads them.
    const late = applyUpdates(readMemory([{ tags: memoryTags(completed.memory) }]), [autoshift('open', -60)], zones, now, 6 * HOUR);
    expect(late.evacuations).toEqual([]);
    expect(late.notes.join('\n')).toMatch(/ignored: the key was already closed by a later event \(2026-11-23T12:00:00Z\)/);
    expect(memoryTags(late.memory)).toEqual({ [`${EVACUATION_TAG_PREFIX}use1-az2`]: `arc-autoshift@2026-11-23T12:00:00Z#${hashKey('arc-autoshift:use1-az2')}/closed` });
  });

  it('an old close does not end a newer open; a newer autoshift after a completed one opens again', () => {
    const open2 = applyUpdates([], [autoshift('open', -5), autoshift('close', -30)], zones, now, 6 * HOUR);
    expect(open2.evacuations.map((e) => [e.az, e.since])).toEqual([['us-east-1c', at(-5)]]);
    const again = applyUpdates([], [autoshift('open', -60), autoshift('close', -30), autoshift('open', -5)], zones, now, 6 * HOUR);
    expect(again.evacuations.map((e) => e.since)).toEqual([at(-5)]);
  });

  it('a close and an open of the same second: the close wins, whichever came first', () => {
    for (const order of [[autoshift('open', -5), autoshift('close', -5)], [autoshift('close', -5), autoshift('open', -5)]]) {
      expect(applyUpdates([], order, zones, now, 6 * HOUR).evacuations).toEqual([]);
    }
  });

  it('clamps future-dated events to now: a close dated next year cannot pin the key closed beyond now', () => {
    const r = applyUpdates([], [autoshift('close', 60 * 24 * 365)], zones, now, 6 * HOUR);
    expect(r.memory.map((e) => e.at)).toEqual([now]);
    const later = new Date(now.getTime() + 60_000);
    expect(applyUpdates(r.memory, [{ ...autoshift('open', 1) }], zones, later, 6 * HOUR).evacuations).toHaveLength(1);
  });

  it('remembers a close that arrives before any open, even one that names no AZ', () => {
    const first = applyUpdates([], [close('arn:9', 'aws-health', at(-10))], zones, now, 6 * HOUR);
    expect(memoryTags(first.memory)).toEqual({ [`${EVACUATION_TAG_PREFIX}${UNZONED}`]: `aws-health@2026-11-23T12:00:00Z#${hashKey('arn:9')}/closed` });
    const late = applyUpdates(readMemory([{ tags: memoryTags(first.memory) }]), [open('arn:9', ['use1-az2'], at(-30))], zones, now, 6 * HOUR);
    expect(late.evacuations).toEqual([]);
  });

  it('does not remember a close about another region\'s AZ', () => {
    const r = applyUpdates([], [close('arc-autoshift:euw1-az1', 'arc-autoshift', at(-1), ['euw1-az1'])], zones, now, 6 * HOUR);
    expect(r.memory).toEqual([]);
  });

  it('forgets a close once it is older than the maximum age (no open that old is taken anyway)', () => {
    const r = applyUpdates([], [autoshift('close', -10)], zones, now, 6 * HOUR);
    const later = new Date(now.getTime() + 6 * HOUR * 1000);
    expect(applyUpdates(r.memory, [], zones, later, 6 * HOUR).memory).toEqual([]);
    expect(applyUpdates(r.memory, [autoshift('open', -20)], zones, later, 6 * HOUR).evacuations).toEqual([]);
  });

  it('refuses a stored time that does not round-trip (2027-02-30 is not 2 March)', () => {
    const tags = { [`${EVACUATION_TAG_PREFIX}use1-az2`]: `aws-health@2027-02-30T00:00:00Z#${hashKey('a')} aws-health@2026-11-23T12:00:00Z#${hashKey('b')}` };
    expect(readMemory([{ tags }]).map((e) => e.hash)).toEqual([hashKey('b')]);
  });

  it('never drops an open to make room for closes in a full tag value (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ open: fc.boolean(), min: fc.integer({ min: -300, max: 0 }), source: fc.constantFrom('aws-health' as const, 'arc-fis-experiment' as const) }), { minLength: 1, maxLength: 12 }), (evs) => {
        const updates: SignalUpdate[] = evs.map((e, i) =>
          e.open
            ? { kind: 'evacuation-open', source: e.source, key: `k${i}`, zones: ['use1-az2'], at: at(e.min), detail: 'p' }
            : { kind: 'evacuation-close', source: e.source, key: `k${i}`, zones: ['use1-az2'], at: at(e.min), detail: 'p' },
        );
        const m = applyUpdates([], updates, zones, now, 6 * HOUR).memory;
        const value = memoryTags(m)[`${EVACUATION_TAG_PREFIX}use1-az2`] as string;
        expect(value.length).toBeLessThanOrEqual(256);
        const kept = readMemory([{ tags: memoryTags(m) }]);
        const opens = m.filter((e) => e.status === 'open');
        const keptOpens = kept.filter((e) => e.status === 'open');
        expect(keptOpens.length).toBe(Math.min(opens.length, MAX_ENTRIES_PER_AZ));
        if (opens.length < MAX_ENTRIES_PER_AZ) expect(kept.length).toBeGreaterThan(opens.length - 1);
      }),
      { numRuns: 300 },
    );
  });

  // ---- property: any permutation / duplication / split into runs == the events in event-time order
  const KEYS = [
    { key: 'arc-autoshift:use1-az2', source: 'arc-autoshift' as const, zones: ['use1-az2'] },
    { key: 'arc-autoshift:use1-az6', source: 'arc-autoshift' as const, zones: ['use1-az6'] },
    { key: 'arn:aws:health:us-east-1::event/MULTIPLE_SERVICES/X/1', source: 'aws-health' as const, zones: ['use1-az1', 'us-east-1c'] },
  ];
  const event = fc.record({
    k: fc.nat(KEYS.length - 1),
    open: fc.boolean(),
    // Minutes from now: the past (ties likely), a few in the future (clamped), some without a time.
    min: fc.option(fc.integer({ min: -90, max: 5 }), { freq: 8 }),
    closeNamesAz: fc.boolean(),
  });
  const toUpdate = (e: { k: number; open: boolean; min: number | null; closeNamesAz: boolean }, t0: Date): SignalUpdate => {
    const k = KEYS[e.k]!;
    const when = e.min === null ? undefined : new Date(t0.getTime() + e.min * 60_000);
    return e.open
      ? { kind: 'evacuation-open', source: k.source, key: k.key, zones: k.zones, at: when, detail: 'p' }
      : { kind: 'evacuation-close', source: k.source, key: k.key, zones: e.closeNamesAz ? k.zones : [], at: when, detail: 'p' };
  };
  const eventTime = (u: SignalUpdate) => Math.min(u.at?.getTime() ?? now.getTime(), now.getTime());
  const stripNotes = (r: { memory: readonly MemoryEntry[]; evacuations: readonly unknown[] }) => ({ memory: r.memory, evacuations: r.evacuations });

  it('any permutation and duplication of opens and closes gives the memory of the event-time order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 12 }).chain((evs) =>
          fc.tuple(fc.constant(evs), fc.shuffledSubarray([...evs.keys(), ...evs.keys()], { minLength: evs.length }).chain((idx) => fc.shuffledSubarray(idx, { minLength: idx.length }))),
        ),
        ([evs, order]) => {
          const updates = evs.map((e) => toUpdate(e, now));
          // Every event at least once, some twice, in any order.
          const delivered = [...order.map((i) => updates[i]!), ...updates.filter((_, i) => !order.includes(i))];
          const byTime = [...updates].sort((a, b) => eventTime(a) - eventTime(b));
          expect(stripNotes(applyUpdates([], delivered, zones, now, 6 * HOUR))).toEqual(stripNotes(applyUpdates([], byTime, zones, now, 6 * HOUR)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('delivered over several runs through the tags, the memory is the same as all at once (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(11), { maxLength: 4 }), fc.nat(), (evs, cuts, seed) => {
        const updates = evs.map((e) => toUpdate({ ...e, min: e.min === null ? -1 : Math.min(e.min, 0) }, now));
        const shuffled = fc.sample(fc.shuffledSubarray(updates, { minLength: updates.length }), { numRuns: 1, seed })[0]!;
        const points = [...new Set([0, ...cuts.map((c) => c % (shuffled.length + 1)), shuffled.length])].sort((a, b) => a - b);
        let tables: { tags: Record<string, string> }[] = [{ tags: {} }];
        for (let i = 0; i + 1 < points.length; i++) {
          const r = applyUpdates(readMemory(tables), shuffled.slice(points[i], points[i + 1]), zones, now, 6 * HOUR);
          tables = [{ tags: memoryTags(r.memory) }];
        }
        const once = applyUpdates([], [...updates].sort((a, b) => eventTime(a) - eventTime(b)), zones, now, 6 * HOUR);
        expect(readMemory(tables)).toEqual(once.memory);
      }),
      { numRuns: 300 },
    );
  });

  it('matches a model: a key is open iff its latest event (by its own time, close winning ties) is an open (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 12 }), (evs) => {
        const updates = evs.map((e) => toUpdate(e, now));
        const r = applyUpdates([], updates, zones, now, 6 * HOUR);
        const expected = KEYS.flatMap((k) => {
          const mine = updates.filter((u) => u.kind !== 'alarm-state' && u.key === k.key);
          if (mine.length === 0) return [];
          const latest = Math.max(...mine.map((u) => Math.floor(eventTime(u) / 1000)));
          const last = mine.filter((u) => Math.floor(eventTime(u) / 1000) === latest);
          return last.every((u) => u.kind === 'evacuation-open') ? [k.key] : [];
        });
        expect([...new Set(r.evacuations.map((e) => e.id))].sort()).toEqual(expected.map((k) => `${KEYS.find((x) => x.key === k)!.source}#${hashKey(k)}`).sort());
      }),
      { numRuns: 500 },
    );
  });
});
