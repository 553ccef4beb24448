import fc from 'fast-check';
import sample from '../../events/probe-verdict.json';
import { parseEvent } from '../../src/events/parse';
import { triggerOf } from '../../src/events/triggers';
import { PROBE_EVENT_SOURCE, PROBE_UNDELIVERED_ERROR } from '../../src/core/probe';

const clone = (): any => JSON.parse(JSON.stringify(sample));

describe('the probe verdict event (src/core/probe.ts contract)', () => {
  it('reads the sample: VPC, AZ name, gateway, rounds and the first round\'s start', () => {
    const t = triggerOf(sample);
    expect(t.name).toBe('probe');
    expect(t.ignored).toBeUndefined();
    expect(t.updates).toEqual([]);
    expect(t.forceMetrics).toBe(false);
    expect(t.probe).toEqual({
      kind: 'probe-verdict',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      az: 'us-east-1a',
      natGatewayId: 'nat-0123456789abcdef0',
      round: { at: new Date('2026-11-23T10:06:05Z'), failed: true, rounds: 3, roundsFailed: 3, source: 'event' },
    });
  });

  it('falls back to the envelope time when detail.at is missing', () => {
    const e = clone();
    delete e.detail.at;
    expect(parseEvent(e).probe?.round.at).toEqual(new Date('2026-11-23T10:06:11Z'));
  });

  it.each([
    ['vpcId', 'vpc-XYZ', 'detail.vpcId'],
    ['availabilityZone', 'use1-az1', 'detail.availabilityZone'],
    ['availabilityZone', 'us-east-1a\nERROR forged', 'detail.availabilityZone'],
    ['verdict', 'FAILED', 'detail.verdict'],
    ['roundsRun', 0, 'roundsRun'],
    ['roundsFailed', 4, 'roundsRun'],
    ['roundsFailed', 0, 'disagrees'],
    ['version', 2, 'version'],
  ])('ignores a verdict whose %s is %j, naming the field', (field, value, named) => {
    const e = clone();
    e.detail[field] = value;
    const p = parseEvent(e);
    expect(p.probe).toBeUndefined();
    expect(p.ignored).toContain(named);
  });

  it('drops a malformed gateway id but keeps the verdict (the id is for the log only)', () => {
    const e = clone();
    e.detail.natGatewayId = 'nat-<script>';
    expect(parseEvent(e).probe?.natGatewayId).toBeUndefined();
    expect(parseEvent(e).probe?.round.failed).toBe(true);
  });

  it('never throws and never yields a half-read verdict, whatever the detail (fuzz)', () => {
    const field = fc.constantFrom('version', 'vpcId', 'availabilityZone', 'subnetId', 'natGatewayId', 'verdict', 'roundsRun', 'roundsFailed', 'at', 'results');
    fc.assert(
      fc.property(fc.array(fc.tuple(field, fc.anything()), { maxLength: 6 }), fc.dictionary(fc.string(), fc.anything()), (edits, extra) => {
        const e = clone();
        e.detail = { ...e.detail, ...extra };
        for (const [k, v] of edits) e.detail[k] = v;
        const t = triggerOf(e);
        expect(t.ignored ?? '').not.toMatch(/^unreadable/);
        expect((t.ignored ?? '').length).toBeLessThanOrEqual(300);
        expect(t.ignored ?? '').not.toMatch(/\n/);
        const p = t.probe;
        if (p === undefined) return;
        // Whatever was accepted is whole and well-formed.
        expect(p.vpcId).toMatch(/^vpc-[0-9a-f]{8,17}$/);
        expect(p.az).toMatch(/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/);
        expect(Number.isFinite(p.round.at.getTime())).toBe(true);
        expect(p.round.rounds).toBeGreaterThanOrEqual(1);
        expect(p.round.roundsFailed).toBeLessThanOrEqual(p.round.rounds);
        expect(p.round.failed).toBe(p.round.roundsFailed > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on whole-envelope junk with the probe source (fuzz)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom('detail', 'detail-type', 'time'), (v, k) => {
        const e = clone();
        e[k] = v;
        const p = parseEvent(e);
        expect(p.ignored ?? '').not.toMatch(/^unreadable/);
      }),
      { numRuns: 300 },
    );
  });

  describe('delivered by Lambda as the probe function\'s OnFailure destination (its own invoke failed)', () => {
    const record = (errorType: unknown, errorMessage: unknown) => ({
      version: '1.0',
      timestamp: '2026-11-23T12:00:09.000Z',
      requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-probe-subnet-0a1b2c3d:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: { source: 'aws.events', 'detail-type': 'Scheduled Event' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType, errorMessage, trace: [] },
    });

    it('unwraps the verdict: the same evidence as the direct invoke', () => {
      const direct = parseEvent(clone());
      const viaDestination = triggerOf(record(PROBE_UNDELIVERED_ERROR, JSON.stringify(clone())));
      expect(viaDestination.probe).toEqual(direct.probe);
      expect(viaDestination.probe).toBeDefined();
      expect(viaDestination.name).toBe(`${PROBE_EVENT_SOURCE}:destination`);
    });

    it('another error, or a message that is not a verdict, is a plain run that says why', () => {
      for (const r of [record('Runtime.ExitError', 'boom'), record(PROBE_UNDELIVERED_ERROR, '{"source":"aws.events"}'), record(PROBE_UNDELIVERED_ERROR, 'not json'), record(PROBE_UNDELIVERED_ERROR, 42)]) {
        const t = triggerOf(r);
        expect(t.probe).toBeUndefined();
        expect(t.ignored).toMatch(/record/);
        expect(t.ignored!.length).toBeLessThanOrEqual(300);
      }
    });

    it('never throws, and accepts only a whole verdict, whatever the record holds (fuzz)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.constant(PROBE_UNDELIVERED_ERROR), fc.string()), fc.oneof(fc.anything(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.constant(JSON.stringify(clone()))), (type, message) => {
          const t = triggerOf(record(type, message));
          expect(t.ignored ?? '').not.toMatch(/^unreadable/);
          expect(t.ignored ?? '').not.toMatch(/\n/);
          if (t.probe !== undefined) {
            expect(type).toBe(PROBE_UNDELIVERED_ERROR);
            expect(t.probe).toEqual(parseEvent(JSON.parse(message as string)).probe);
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  it('refuses an ok verdict: the probe sends only failures, and an ok event would stand in for a failed minute of the recovery proof (found in review)', () => {
    const e = clone();
    e.detail = { ...e.detail, verdict: 'ok', roundsFailed: 0 };
    const t = triggerOf(e);
    expect(t.probe).toBeUndefined();
    expect(t.ignored).toMatch(/only failed verdicts/);
  });
});
