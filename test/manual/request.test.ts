import fc from 'fast-check';
import { handleManual } from '../../src/manual/actions';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, parseRequest, RequestError } from '../../src/manual/request';
import { CONFIG, deps, RecordingRunner, region } from './world';

const fieldOf = (raw: unknown): string => {
  try {
    parseRequest(raw);
  } catch (e) {
    if (e instanceof RequestError) return e.field;
    throw e;
  }
  return 'accepted';
};

describe('parseRequest', () => {
  it.each([
    ['a non-object', 'status', 'request'],
    ['an array', [], 'request'],
    ['no action', {}, 'action'],
    ['an unknown action', { action: 'reboot' }, 'action'],
    ['a numeric action', { action: 3 }, 'action'],
    ['an extra field on status', { action: 'status', az: 'us-east-1a' }, 'az'],
    ['failover without reason', { action: 'failover', az: 'us-east-1a' }, 'reason'],
    ['failover with blank reason', { action: 'failover', az: 'us-east-1a', reason: '   ' }, 'reason'],
    ['failover with a control character in the reason', { action: 'failover', az: 'us-east-1a', reason: 'a\u0007b' }, 'reason'],
    ['failover with a 201-character reason', { action: 'failover', az: 'us-east-1a', reason: 'x'.repeat(201) }, 'reason'],
    ['failover with neither az nor gateway', { action: 'failover', reason: 'x' }, 'az'],
    ['failover with both az and gateway', { action: 'failover', az: 'us-east-1a', gateway: 'nat-0000000a', reason: 'x' }, 'gateway'],
    ['a malformed AZ', { action: 'failover', az: 'east', reason: 'x' }, 'az'],
    ['a malformed gateway', { action: 'failover', gateway: 'igw-1234', reason: 'x' }, 'gateway'],
    ['a malformed target', { action: 'failover', az: 'us-east-1a', target: 'nat-XYZ', reason: 'x' }, 'target'],
    ['an unparsable expiry', { action: 'failover', az: 'us-east-1a', reason: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
    ['an expiry without a zone', { action: 'failover', az: 'us-east-1a', reason: 'x', expiresAt: '2026-12-01T00:00:00' }, 'expiresAt'],
    ['an impossible date', { action: 'failover', az: 'us-east-1a', reason: 'x', expiresAt: '2026-13-45T00:00:00Z' }, 'expiresAt'],
    ['force as a string', { action: 'restore', az: 'us-east-1a', force: 'yes', reason: 'x' }, 'force'],
    ['forced restore without reason', { action: 'restore', az: 'us-east-1a', force: true }, 'reason'],
    ['restore without az', { action: 'restore' }, 'az'],
    ['dryRun as a string', { action: 'release', az: 'us-east-1a', dryRun: 'true' }, 'dryRun'],
    ['a malformed vpc', { action: 'plan', vpcId: 'vpc-1' }, 'vpcId'],
  ])('rejects %s, naming the field', (_name, raw, field) => {
    expect(fieldOf(raw)).toBe(field);
  });

  it.each([
    [{ action: 'status' }],
    [{ action: 'plan', vpcId: 'vpc-11111111' }],
    [{ action: 'failover', az: 'use1-az1', reason: 'maintenance', expiresAt: '2026-11-30T23:00:00Z', target: 'nat-0000000b', by: 'alice', dryRun: true }],
    [{ action: 'failover', gateway: 'nat-0000000a', reason: 'x' }],
    [{ action: 'restore', az: 'us-east-1a' }],
    [{ action: 'restore', az: 'us-east-1a', force: true, reason: 'home is fine, metrics are not' }],
    [{ action: 'release', gateway: 'nat-0000000a' }],
  ])('accepts %j', (raw) => {
    expect(fieldOf(raw)).toBe('accepted');
  });

  it('tells a missing field from a wrongly typed one', () => {
    expect(() => parseRequest({ action: 'restore', az: 'us-east-1a', force: 'yes', reason: 'r' })).toThrow('force: expected boolean, got string');
    expect(() => parseRequest({ action: 'failover', az: 'us-east-1a', reason: 7 })).toThrow('reason: expected string, got number');
    expect(() => parseRequest({ action: 'failover', az: 'us-east-1a' })).toThrow('reason: is required');
  });

  it('trims the reason it keeps', () => {
    expect(parseRequest({ action: 'failover', az: 'us-east-1a', reason: '  CHG-1  ' })).toMatchObject({ reason: 'CHG-1' });
  });
});

describe('the events/manual-*.json fixtures', () => {
  const dir = join(__dirname, '../../events');
  const files = readdirSync(dir).filter((f) => f.startsWith('manual-') && f.endsWith('.json'));

  it('cover every action', () => {
    expect(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).action).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(files)('%s is a valid request', (f) => {
    expect(() => parseRequest(JSON.parse(readFileSync(join(dir, f), 'utf8')))).not.toThrow();
  });
});

describe('validation fuzz', () => {
  it('random JSON never throws anything but a RequestError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseRequest(v);
        } catch (e) {
          expect(e).toBeInstanceOf(RequestError);
          expect((e as RequestError).field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const requestLike = fc.record(
    {
      action: fc.constantFrom('status', 'plan', 'failover', 'restore', 'release', 'reboot', ''),
      az: fc.oneof(fc.constantFrom('us-east-1a', 'use1-az2', 'us-east-1z', 'use1-az9', ''), fc.string(), fc.integer()),
      gateway: fc.oneof(fc.constantFrom('nat-0000000a', 'nat-0000000f'), fc.string()),
      target: fc.oneof(fc.constantFrom('nat-0000000a', 'nat-0000000b', 'nat-00000009'), fc.string()),
      reason: fc.oneof(fc.string(), fc.constant(undefined)),
      expiresAt: fc.oneof(fc.constantFrom('2001-01-01T00:00:00Z', 'soon', '2026-11-23T11:59:59Z'), fc.string()),
      force: fc.oneof(fc.boolean(), fc.string()),
      dryRun: fc.oneof(fc.constant(false), fc.string(), fc.integer()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['action'] },
  );

  it('a request that does not validate changes nothing and never reaches reconcile', async () => {
    await fc.assert(
      fc.asyncProperty(requestLike, async (raw) => {
        const cloud = region();
        const before = JSON.stringify([...cloud.tables.values()]);
        const runner = new RecordingRunner();
        const res = await handleManual(deps(cloud, runner), CONFIG, raw);
        if (!res.ok) {
          expect(res.error.message.length).toBeGreaterThan(0);
          expect(res.error.message).not.toMatch(/\n\s+at /);
          expect(cloud.count('createTags') + cloud.count('deleteTags') + cloud.count('replaceRoute')).toBe(0);
          expect(runner.requests).toHaveLength(0);
          expect(JSON.stringify([...cloud.tables.values()])).toBe(before);
        }
        // Whatever happens, the manual function itself never writes a route.
        expect(cloud.count('replaceRoute')).toBe(0);
      }),
      { numRuns: 400 },
    );
  });
});
