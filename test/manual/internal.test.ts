import { isInternalPayload, parseInternalPayload, toInternalPayload } from '../../src/manual/internal';
import { RequestError } from '../../src/manual/request';
import schedule from '../../events/schedule.json';

describe('the manual → reconcile payload', () => {
  it('round-trips a restore request', () => {
    const req = { action: 'restore' as const, by: 'alice', dryRun: false, overrides: { restoreNow: [{ az: 'us-east-1a', force: true, reason: 'r', by: 'alice' }] } };
    expect(parseInternalPayload(JSON.parse(JSON.stringify(toInternalPayload(req))))).toEqual(req);
  });

  it('is told apart from EventBridge events by its marker', () => {
    expect(isInternalPayload(schedule)).toBe(false);
    expect(isInternalPayload({ 'nat-failover': 'manual' })).toBe(true);
    expect(isInternalPayload(null)).toBe(false);
  });

  it.each([
    [{ 'nat-failover': 'manual', action: 'failover', by: 'x', dryRun: 'no' }, 'dryRun'],
    [{ 'nat-failover': 'manual', action: 'nuke', by: 'x', dryRun: false }, 'action'],
    [{ 'nat-failover': 'manual', action: 'failover', by: 'x', dryRun: false, extra: 1 }, 'request'],
    [{ 'nat-failover': 'other', action: 'failover', by: 'x', dryRun: false }, 'nat-failover'],
    [{ 'nat-failover': 'manual', action: 'restore', by: 'x', dryRun: false, overrides: { restoreNow: [{ az: 'a' }] } }, 'overrides.restoreNow.0.force'],
  ])('rejects a malformed payload %j at %s', (raw, field) => {
    let caught: unknown;
    try {
      parseInternalPayload(raw);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RequestError);
    expect((caught as RequestError).field).toBe(field);
  });
});
