/**
 * AWS Health as AWS sends it: MULTIPLE_SERVICES issues (the largest AZ incidents), only `issue`
 * events, and a conservative reading of the AZ from the description: an AZ named as healthy or as
 * where traffic was shifted to is never evacuated. Fixtures follow the documented shape
 * (https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html).
 */
import fc from 'fast-check';
import healthClosed from '../../events/health-closed.json';
import healthIssue from '../../events/health-issue.json';
import multi from '../../events/health-multiple-services.json';
import { applyUpdates } from '../../src/events/memory';
import { parseEvent } from '../../src/events/parse';
import type { EvacuationClose, EvacuationOpen } from '../../src/events/types';
import { affectedZones } from '../../src/events/zones';
import type { Zone } from '../../src/core/types';

const clone = <T>(x: T): any => JSON.parse(JSON.stringify(x));
const withText = (sample: unknown, text: string, detail: Record<string, unknown> = {}) => {
  const e = clone(sample);
  e.detail = { ...e.detail, ...detail, eventDescription: [{ language: 'en_US', latestDescription: text }] };
  return e;
};

describe('AWS Health MULTIPLE_SERVICES', () => {
  it('evacuates the AZ a MULTIPLE_SERVICES issue names as impaired, not the AZs traffic went to', () => {
    const p = parseEvent(multi);
    expect(p.ignored).toBeUndefined();
    const u = p.updates[0] as EvacuationOpen;
    expect(p.updates).toHaveLength(1);
    expect(u).toMatchObject({ kind: 'evacuation-open', source: 'aws-health', key: multi.detail.eventArn, zones: ['use1-az2'], spared: ['use1-az1', 'use1-az4'] });
    expect(u.at).toEqual(new Date('2026-11-23T12:09:38Z'));
  });

  it('reads the service from the event ARN when detail.service is absent', () => {
    const e = clone(multi);
    delete e.detail.service;
    expect((parseEvent(e).updates[0] as EvacuationOpen).zones).toEqual(['use1-az2']);
    const other = clone(multi);
    delete other.detail.service;
    other.detail.eventArn = other.detail.eventArn.replace('/MULTIPLE_SERVICES/', '/RDS/');
    expect(parseEvent(other)).toMatchObject({ updates: [], ignored: expect.stringMatching(/service RDS/) });
  });

  it('closes a MULTIPLE_SERVICES issue by the same key, dated by its own lastUpdatedTime', () => {
    const e = clone(multi);
    e.detail.statusCode = 'closed';
    e.detail.endTime = 'Mon, 23 Nov 2026 14:00:00 GMT';
    e.detail.lastUpdatedTime = 'Mon, 23 Nov 2026 14:02:00 GMT';
    const u = parseEvent(e).updates[0] as EvacuationClose;
    expect(u).toMatchObject({ kind: 'evacuation-close', key: multi.detail.eventArn, zones: ['use1-az2'], at: new Date('2026-11-23T14:02:00Z') });
  });

  it.each(['accountNotification', 'scheduledChange', 'investigation'])('acts only on issues: a %s event changes nothing', (category) => {
    const p = parseEvent({ ...clone(multi), detail: { ...clone(multi).detail, eventTypeCategory: category } });
    expect(p.updates).toEqual([]);
    expect(p.ignored).toMatch(/not an issue/);
  });

  it('keeps the "must name an AZ" guard: a region-wide MULTIPLE_SERVICES issue evacuates nothing', () => {
    const p = parseEvent(withText(multi, 'We are investigating increased error rates for multiple services in the US-EAST-1 Region.'));
    expect(p).toMatchObject({ updates: [], ignored: expect.stringMatching(/names no Availability Zone/) });
  });

  it('does not evacuate an AZ named only as where traffic went, or as healthy', () => {
    for (const text of [
      'Traffic has been shifted to use1-az1 while we investigate elevated errors.',
      'Instances in use1-az1 are healthy. We are investigating connectivity issues in the Region.',
      'We have recovered connectivity in use1-az2.',
    ]) {
      expect([text, parseEvent(withText(multi, text)).updates]).toEqual([text, []]);
    }
  });

  it('sparse by name what it spares by id: a zone named both ways is not evacuated', () => {
    const zones: Zone[] = [
      { name: 'us-east-1a', id: 'use1-az6', state: 'available' },
      { name: 'us-east-1c', id: 'use1-az2', state: 'available' },
    ];
    const text = 'Connectivity issues affect us-east-1c. We have shifted traffic to use1-az2.';
    const updates = parseEvent(withText(multi, text)).updates;
    // us-east-1c and use1-az2 are the same AZ: named as a target, it is not evacuated.
    const r = applyUpdates([], updates, zones, new Date('2026-11-23T12:10:00Z'), 3600);
    expect(r.evacuations).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/healthy or as where traffic went/);
  });

  it('orders updates of one issue by lastUpdatedTime: an old open re-sent after the close stays closed', () => {
    const zones: Zone[] = [{ name: 'us-east-1c', id: 'use1-az2', state: 'available' }];
    const now = new Date('2026-11-23T14:00:00Z');
    const closed = parseEvent(healthClosed).updates; // lastUpdatedTime 13:42:28
    const reSent = clone(healthIssue); // lastUpdatedTime 12:07:07 ...
    reSent.time = '2026-11-23T13:55:00Z'; // ... handed to EventBridge again, later
    const r = applyUpdates([], [...closed, ...parseEvent(reSent).updates], zones, now, 6 * 3600);
    expect(r.evacuations).toEqual([]);
    expect(applyUpdates([], [...parseEvent(reSent).updates, ...closed], zones, now, 6 * 3600)).toEqual({ ...r, notes: expect.any(Array) });
  });

  it('still reads the documented EC2 samples (open and closed) as before', () => {
    expect((parseEvent(healthIssue).updates[0] as EvacuationOpen).zones).toEqual(['use1-az2']);
    expect((parseEvent(healthClosed).updates[0] as EvacuationClose).zones).toEqual(['use1-az2']);
  });
});

/** Sentences that say an AZ is impaired, and ones that name it as fine or as the target of a shift. */
const AFFECTED = [
  (z: string) => `We are investigating connectivity issues affecting EC2 instances and NAT gateways in a single Availability Zone (${z}) in the Region`,
  (z: string) => `Instances in ${z} are impaired`,
  (z: string) => `We are experiencing increased error rates in ${z}`,
  (z: string) => `The issue is limited to ${z}`,
  (z: string) => `We have shifted traffic away from ${z}`,
  (z: string) => `NAT gateways in ${z} may be unreachable`,
  (z: string) => `We are working to recover connectivity for instances in ${z}`,
];
const SPARED = [
  (z: string) => `Traffic has been shifted to ${z}`,
  (z: string) => `We moved workloads into ${z}`,
  (z: string) => `Instances in ${z} are not affected`,
  (z: string) => `${z} is operating normally`,
  (z: string) => `Connectivity in ${z} has recovered`,
  (z: string) => `No impact is expected in ${z}`,
  (z: string) => `${z} remains healthy`,
  (z: string) => `We are redirecting requests towards the other Availability Zones (${z})`,
];
/** One clause that mixes both: the affected AZ first, the spared one after a contrast word or a "to". */
const MIXED = [
  (a: string, s: string) => `Instances in ${a} are impaired and traffic has been shifted to ${s}`,
  (a: string, s: string) => `${a} remains impaired while ${s} is healthy`,
  (a: string, s: string) => `${s} is operating normally but ${a} is experiencing elevated errors`,
  (a: string, s: string) => `We have moved traffic away from ${a} to ${s}`,
];
const AZ_IDS = ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6', 'us-east-1a', 'us-east-1b', 'us-east-1c'];

describe('reading the AZ from free text (property)', () => {
  type Part = { kind: 'affected' | 'spared'; t: number; z: number } | { kind: 'mixed'; t: number; a: number; s: number };
  const part: fc.Arbitrary<Part> = fc.oneof(
    fc.record({ kind: fc.constant('affected' as const), t: fc.nat(AFFECTED.length - 1), z: fc.nat(AZ_IDS.length - 1) }),
    fc.record({ kind: fc.constant('spared' as const), t: fc.nat(SPARED.length - 1), z: fc.nat(AZ_IDS.length - 1) }),
    fc.record({ kind: fc.constant('mixed' as const), t: fc.nat(MIXED.length - 1), a: fc.nat(AZ_IDS.length - 1), s: fc.nat(AZ_IDS.length - 1) }),
  );
  const render = (parts: readonly Part[]) => {
    const affected = new Set<string>();
    const spared = new Set<string>();
    const sentences = parts.map((p) => {
      if (p.kind === 'mixed') {
        affected.add(AZ_IDS[p.a]!);
        spared.add(AZ_IDS[p.s]!);
        return MIXED[p.t]!(AZ_IDS[p.a]!, AZ_IDS[p.s]!);
      }
      (p.kind === 'affected' ? affected : spared).add(AZ_IDS[p.z]!);
      return (p.kind === 'affected' ? AFFECTED : SPARED)[p.t]!(AZ_IDS[p.z]!);
    });
    return { text: `${sentences.join('. ')}.`, affected, spared };
  };

  it('never evacuates an AZ mentioned as healthy or as a target; evacuates one mentioned only as affected', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const { text, affected, spared } = render(parts);
        const got = affectedZones(text).affected;
        for (const z of spared) expect([text, z, got.includes(z)]).toEqual([text, z, false]);
        for (const z of affected) if (!spared.has(z)) expect([text, z, got.includes(z)]).toEqual([text, z, true]);
        // Through the parser too: an open names exactly those AZs (or nothing is opened).
        const p = parseEvent(withText(multi, text));
        const opened = (p.updates[0] as EvacuationOpen | undefined)?.zones ?? [];
        expect(opened.filter((z) => spared.has(z))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('never evacuates a spared AZ whatever surrounds it (random filler around a spared sentence)', () => {
    fc.assert(
      fc.property(fc.nat(SPARED.length - 1), fc.nat(AZ_IDS.length - 1), fc.array(fc.constantFrom('impaired', 'errors', 'issues', 'and', 'the', 'in', 'NAT', ',', 'elevated'), { maxLength: 8 }), (t, z, filler) => {
        const zone = AZ_IDS[z]!;
        const text = `${filler.join(' ')}. ${SPARED[t]!(zone)}. ${filler.join(' ')}`;
        expect(affectedZones(text).affected).not.toContain(zone);
      }),
      { numRuns: 300 },
    );
  });
});
