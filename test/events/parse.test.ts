import fc from 'fast-check';
import alarm from '../../events/alarm-state-change.json';
import arcCompleted from '../../events/arc-autoshift-completed.json';
import arc from '../../events/arc-autoshift.json';
import healthClosed from '../../events/health-closed.json';
import healthIssue from '../../events/health-issue.json';
import schedule from '../../events/schedule.json';
import zonalShiftCanceled from '../../events/zonal-shift-canceled.json';
import zonalShift from '../../events/zonal-shift.json';
import { parseEvent } from '../../src/events/parse';
import { date } from '../../src/events/read';
import type { EvacuationClose, EvacuationOpen } from '../../src/events/types';
import { resolveZone, zoneTokens } from '../../src/events/zones';
import { triggerOf } from '../../src/events/triggers';

const clone = <T>(x: T): any => JSON.parse(JSON.stringify(x));
const only = <T>(xs: readonly T[]): T => {
  expect(xs).toHaveLength(1);
  return xs[0] as T;
};

describe('the sample events', () => {
  it('reads the schedule as a plain run', () => {
    expect(parseEvent(schedule)).toEqual({ trigger: 'schedule', updates: [] });
  });

  it('reads the alarm state change: name, new state and its timestamp', () => {
    const p = parseEvent(alarm);
    expect(p.trigger).toBe('alarm');
    expect(p.ignored).toBeUndefined();
    expect(only(p.updates)).toEqual({
      kind: 'alarm-state',
      alarmName: 'nat-failover-prod-gw-nat-0a1b2c3d4e5f60718-packet-drops',
      state: 'ALARM',
      at: new Date('2026-11-23T12:04:40.985Z'),
    });
  });

  it('reads the open Health issue: keyed by its ARN, the AZ id from the description', () => {
    const u = only(parseEvent(healthIssue).updates) as EvacuationOpen;
    expect(u).toMatchObject({ kind: 'evacuation-open', source: 'aws-health', key: healthIssue.detail.eventArn, zones: ['use1-az2'] });
    // Dated by the issue's own lastUpdatedTime, not by when EventBridge sent it (12:07:10).
    expect(u.at).toEqual(new Date('2026-11-23T12:07:07Z'));
  });

  it('reads the closed Health issue as a close of the same key', () => {
    const u = only(parseEvent(healthClosed).updates) as EvacuationClose;
    expect(u).toMatchObject({ kind: 'evacuation-close', source: 'aws-health', key: healthIssue.detail.eventArn });
  });

  it('reads the autoshift and its completion with one key per AZ', () => {
    const open = only(parseEvent(arc).updates) as EvacuationOpen;
    const close = only(parseEvent(arcCompleted).updates) as EvacuationClose;
    expect(open).toMatchObject({ kind: 'evacuation-open', source: 'arc-autoshift', key: 'arc-autoshift:use1-az2', zones: ['use1-az2'] });
    expect(close).toMatchObject({ kind: 'evacuation-close', source: 'arc-autoshift', key: open.key });
  });

  it('keys a manual zonal shift by AZ and resource, so its cancel closes exactly it', () => {
    const open = only(parseEvent(zonalShift).updates) as EvacuationOpen;
    const close = only(parseEvent(zonalShiftCanceled).updates) as EvacuationClose;
    expect(open.key).toBe(`arc-zonal-shift:use1-az2:${zonalShift.resources[0]}`);
    expect(close.key).toBe(open.key);
  });

  it('gives alarm and manual runs a metric read, the others none', () => {
    expect(triggerOf(alarm).forceMetrics).toBe(true);
    expect(triggerOf({}).forceMetrics).toBe(true);
    expect(triggerOf(schedule).forceMetrics).toBe(false);
    expect(triggerOf(arc)).toMatchObject({ name: 'arc', forceMetrics: false, ignored: undefined });
  });
});

describe('where Health puts the AZ', () => {
  const issue = (detail: Record<string, unknown>) => {
    const e = clone(healthIssue);
    e.detail = { ...e.detail, ...detail };
    return e;
  };

  it('prefers structured fields over the text', () => {
    const e = issue({ affectedEntities: [{ entityValue: 'us-east-1b' }], eventDescription: [{ latestDescription: 'use1-az4 and use1-az5' }] });
    expect((only(parseEvent(e).updates) as EvacuationOpen).zones).toEqual(['us-east-1b']);
  });

  it('reads availabilityZone and eventMetadata', () => {
    expect((only(parseEvent(issue({ availabilityZone: 'us-east-1c' })).updates) as EvacuationOpen).zones).toEqual(['us-east-1c']);
    expect((only(parseEvent(issue({ eventMetadata: { zone: 'use1-az6' } })).updates) as EvacuationOpen).zones).toEqual(['use1-az6']);
  });

  it('accepts the NAT gateway and VPC service codes, in any case', () => {
    expect(parseEvent(issue({ service: 'NATGATEWAY' })).updates).toHaveLength(1);
    expect(parseEvent(issue({ service: 'vpc' })).updates).toHaveLength(1);
  });

  it.each([
    ['another service', { service: 'RDS' }, /service RDS/],
    ['a scheduled change', { eventTypeCategory: 'scheduledChange' }, /not an issue/],
    ['an upcoming status', { statusCode: 'upcoming' }, /status upcoming/],
    ['no ARN', { eventArn: undefined }, /no detail.eventArn/],
    ['a region-wide issue', { eventDescription: [{ latestDescription: 'Increased API error rates in the US-EAST-1 Region.' }] }, /names no Availability Zone/],
  ])('ignores %s, saying why', (_name, detail, why) => {
    const p = parseEvent(issue(detail));
    expect(p.updates).toEqual([]);
    expect(p.ignored).toMatch(why);
  });
});

describe('ARC events it does not follow', () => {
  it.each(['Practice Run Started', 'Practice Run Succeeded', 'Something New'])('ignores "%s"', (detailType) => {
    const e = clone(arc);
    e['detail-type'] = detailType;
    const p = parseEvent(e);
    expect(p.updates).toEqual([]);
    expect(p.ignored).toContain(detailType);
  });

  it('ignores a start or an end without an AZ: an end cannot be ordered against a start it cannot name', () => {
    const open = clone(arc);
    delete open.detail.metadata.awayFrom;
    expect(parseEvent(open)).toMatchObject({ updates: [], ignored: expect.stringMatching(/awayFrom/) });
    const end = clone(arcCompleted);
    delete end.detail.metadata;
    expect(parseEvent(end)).toMatchObject({ updates: [], ignored: expect.stringMatching(/awayFrom/) });
  });

  it('dates ARC events by their own time and names the AZ on the end too', () => {
    const close = only(parseEvent(arcCompleted).updates) as EvacuationClose;
    expect(close).toMatchObject({ zones: ['use1-az2'], at: new Date('2026-11-23T13:51:02Z') });
  });

  it('also finds awayFrom at the top level of the event', () => {
    const e = clone(arc);
    delete e.detail.metadata;
    e.metadata = { awayFrom: 'use1-az4' };
    expect((only(parseEvent(e).updates) as EvacuationOpen).zones).toEqual(['use1-az4']);
  });
});

describe('malformed and unrelated events', () => {
  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [1, 2]],
    ['an empty object', {}],
  ])('treats %s as a manual invoke with nothing to update', (_n, e) => {
    expect(parseEvent(e)).toEqual({ trigger: 'invoke', updates: [] });
  });

  it('names an unrelated source and ignores it', () => {
    const p = parseEvent({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} });
    expect(p).toEqual({ trigger: 'aws.s3:Object Created', updates: [], ignored: expect.stringContaining('aws.s3') });
  });

  it('ignores an alarm event without a name or with an unknown state', () => {
    const noName = clone(alarm);
    delete noName.detail.alarmName;
    expect(parseEvent(noName)).toMatchObject({ trigger: 'alarm', updates: [], ignored: expect.stringMatching(/alarmName/) });
    const odd = clone(alarm);
    odd.detail.state.value = 'PANIC';
    expect(parseEvent(odd).updates).toEqual([]);
  });

  it('never throws, whatever the input (fuzz)', () => {
    const samples = [alarm, healthIssue, healthClosed, arc, arcCompleted, zonalShift, schedule];
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...samples), fc.anything(), fc.constantFrom('detail', 'source', 'detail-type', 'time', 'resources'), (junk, sample, value, field) => {
        // The last-resort catch must never be what saved us: the readers themselves do not throw.
        expect(parseEvent(junk).ignored ?? '').not.toMatch(/^unreadable/);
        const e = clone(sample);
        e[field] = value;
        const p = parseEvent(e);
        expect(p.ignored ?? '').not.toMatch(/^unreadable/);
        expect(Array.isArray(p.updates)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated details (fuzz)', () => {
    fc.assert(
      fc.property(fc.constantFrom(alarm, healthIssue, arc, zonalShift), fc.dictionary(fc.string(), fc.anything()), (sample, detail) => {
        const e = clone(sample);
        e.detail = { ...e.detail, ...detail };
        expect(parseEvent(e).ignored ?? '').not.toMatch(/^unreadable/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('AZ tokens', () => {
  const zones = [
    { name: 'us-east-1a', id: 'use1-az6', state: 'available' as const },
    { name: 'us-east-1c', id: 'use1-az2', state: 'available' as const },
  ];

  it('finds names and ids, not Local Zones or ARN fragments', () => {
    expect(zoneTokens('in us-east-1a (use1-az6), not us-east-1-bos-1a nor use1-bos1-az1; arn:aws:ec2:us-east-1:1:x')).toEqual(['us-east-1a', 'use1-az6']);
    expect(zoneTokens('US-GOV-WEST-1B and usgw1-az3')).toEqual(['us-gov-west-1b', 'usgw1-az3']);
  });

  it('resolves an id or a name to this region’s zone, and nothing else', () => {
    expect(resolveZone('use1-az2', zones)?.name).toBe('us-east-1c');
    expect(resolveZone('US-EAST-1A', zones)?.id).toBe('use1-az6');
    expect(resolveZone('euw1-az1', zones)).toBeUndefined();
  });
});

describe('event times, read strictly', () => {
  it('reads the forms AWS sends', () => {
    expect(date('2026-11-23T12:07:10Z')).toEqual(new Date('2026-11-23T12:07:10Z'));
    expect(date('2026-11-23T12:04:40.985+0000')).toEqual(new Date('2026-11-23T12:04:40.985Z'));
    expect(date('2026-11-23T14:04:40+02:00')).toEqual(new Date('2026-11-23T12:04:40Z'));
    expect(date('Mon, 23 Nov 2026 12:07:07 GMT')).toEqual(new Date('2026-11-23T12:07:07Z'));
  });

  it.each(['1', '2026', '1 2 3', '2027-02-30T00:00:00Z', '2026-11-23', '2026-11-23T12:07Z', 'Mon, 30 Feb 2026 12:00:00 GMT', '2026-11-23T25:00:00Z', 'yesterday'])('refuses %p', (s) => {
    expect(date(s)).toBeUndefined();
  });

  it('never reads a time that does not round-trip (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(date(whole.toISOString().replace(/\.000Z$/, 'Z'))).toEqual(whole);
        expect(date(whole.toUTCString())).toEqual(whole);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const d = date(s);
        if (d) expect(/^\d{4}-\d{2}-\d{2}T|GMT$|UTC$/.test(s)).toBe(true);
      }),
    );
  });
});
