import fc from 'fast-check';
import { loadProbeConfig, PROBE_DEFAULTS, PROBE_ROUNDS_BUDGET_MS } from '../../src/probe/config';
import { MAX_TARGETS, parseTargets } from '../../src/probe/targets';
import { ConfigError } from '../../src/errors';

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('parseTargets', () => {
  it('reads the three kinds with their defaults', () => {
    expect(parseTargets(' tcp://db.example.com:5432 , tls://example.com,https://[2001:db8::1]:8443/health?deep=1,TLS://10.0.0.1:853')).toStrictEqual([
      { kind: 'tcp', host: 'db.example.com', port: 5432, raw: 'tcp://db.example.com:5432' },
      { kind: 'tls', host: 'example.com', port: 443, raw: 'tls://example.com' },
      { kind: 'https', host: '2001:db8::1', port: 8443, path: '/health?deep=1', raw: 'https://[2001:db8::1]:8443/health?deep=1' },
      { kind: 'tls', host: '10.0.0.1', port: 853, raw: 'TLS://10.0.0.1:853' },
    ]);
    expect(parseTargets('https://example.com')[0]).toMatchObject({ port: 443, path: '/' });
  });

  it.each([
    ['', /is empty/],
    [' , ', /is empty/],
    ['example.com:443', /entry 1 "example.com:443": not a target/],
    ['http://example.com', /unknown scheme "http"/],
    ['tcp://example.com', /tcp:\/\/ needs a port/],
    ['tls://example.com:0', /port must be 1..65535/],
    ['tls://example.com:70000', /port must be 1..65535/],
    ['tls://exa mple.com', /not a target|not a host/],
    ['tls://-bad.example.com', /not a host/],
    ['tls://300.1.1.1', /not a host/],
    ['tls://example.com/path', /only meaningful for https/],
    ['https://example.com/a b', /not a target|cannot carry/],
    ['https://example.com/a\r\nX-Evil: 1', /not a target|cannot carry/],
    ['tls://user@example.com', /not a host/],
    ['tls://a.com,tls://A.com:443', /twice/],
  ])('rejects %j with one clear line', (raw, why) => {
    const e = errorOf(() => parseTargets(raw));
    expect(e.variable).toBe('PROBE_TARGETS');
    expect(e.message).toMatch(why);
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  it(`accepts at most ${MAX_TARGETS} targets`, () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `tls://h${i}.example.com`).join(',');
    expect(parseTargets(list(MAX_TARGETS))).toHaveLength(MAX_TARGETS);
    expect(errorOf(() => parseTargets(list(MAX_TARGETS + 1))).message).toMatch(/lists 11 targets; at most 10/);
  });

  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => [...ls, 'example'].join('.'));
  const target = fc.oneof(
    fc.record({ kind: fc.constant('tcp' as const), host: hostname, port: fc.integer({ min: 1, max: 65_535 }) }),
    fc.record({ kind: fc.constant('tls' as const), host: hostname, port: fc.integer({ min: 1, max: 65_535 }) }),
    fc.record({ kind: fc.constant('https' as const), host: hostname, port: fc.integer({ min: 1, max: 65_535 }), path: fc.stringMatching(/^\/[a-z0-9/._~?=&-]{0,30}$/) }),
  );

  it('round-trips every well-formed target (generated)', () => {
    fc.assert(
      fc.property(target, (t) => {
        const raw = `${t.kind}://${t.host}:${t.port}${'path' in t ? t.path : ''}`;
        const [parsed] = parseTargets(raw);
        expect(parsed).toStrictEqual({ ...t, raw });
      }),
    );
  });

  it('answers any input with targets or one bounded ConfigError line, never anything else (generated)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.array(fc.oneof(fc.string(), target.map((t) => `${t.kind}://${t.host}:${t.port}`)), { maxLength: 14 }).map((xs) => xs.join(','))), (raw) => {
        try {
          const ts = parseTargets(raw);
          expect(ts.length).toBeGreaterThan(0);
          expect(ts.length).toBeLessThanOrEqual(MAX_TARGETS);
          for (const t of ts) {
            expect(t.port).toBeGreaterThanOrEqual(1);
            expect(t.raw.length).toBeLessThanOrEqual(200);
            expect(t.path ?? '/').not.toMatch(/[\s"<>\\]/);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect((e as Error).message).not.toMatch(/[\r\n\u2028\u2029]/);
          expect((e as Error).message.length).toBeLessThanOrEqual(300);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadProbeConfig', () => {
  const base = { PROBE_TARGETS: 'tls://example.com', PROBE_SUBNET_ID: 'subnet-0a1b2c3d', RECONCILE_FUNCTION_NAME: 'nat-failover-prod-reconcile' };

  it('has cheap, bounded defaults', () => {
    const c = loadProbeConfig(base);
    expect(c).toMatchObject({ ...PROBE_DEFAULTS, subnetId: 'subnet-0a1b2c3d', reconcileFunction: 'nat-failover-prod-reconcile', managedTagKey: 'nat-failover' });
    expect(c.caFile).toBeUndefined();
  });

  it.each([
    [{ PROBE_SUBNET_ID: '' }, 'PROBE_SUBNET_ID', /not set/],
    [{ PROBE_SUBNET_ID: 'rtb-0a1b2c3d' }, 'PROBE_SUBNET_ID', /expected a subnet id/],
    [{ RECONCILE_FUNCTION_NAME: ' ' }, 'RECONCILE_FUNCTION_NAME', /not set/],
    [{ PROBE_TIMEOUT_MS: '50' }, 'PROBE_TIMEOUT_MS', /100..10000/],
    [{ PROBE_ROUNDS: '0' }, 'PROBE_ROUNDS', /1..10/],
    [{ PROBE_ROUNDS: '2', PROBE_FAILED_ROUNDS: '3' }, 'PROBE_FAILED_ROUNDS', /exceeds PROBE_ROUNDS/],
    [{ PROBE_ROUNDS: '10', PROBE_TIMEOUT_MS: '5000' }, 'PROBE_ROUNDS', /keep it within 20000 ms/],
    [{ PROBE_ROUND_GAP_MS: 'soon' }, 'PROBE_ROUND_GAP_MS', /whole number/],
  ])('rejects %j', (env, variable, why) => {
    const e = errorOf(() => loadProbeConfig({ ...base, ...env }));
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(why);
  });

  it('never accepts a configuration whose failing rounds outlast the budget (generated)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (rounds, timeout, gap) => {
        const env = { ...base, PROBE_ROUNDS: String(rounds), PROBE_FAILED_ROUNDS: '1', PROBE_TIMEOUT_MS: String(timeout), PROBE_ROUND_GAP_MS: String(gap) };
        const worst = rounds * timeout + (rounds - 1) * gap;
        if (worst <= PROBE_ROUNDS_BUDGET_MS) expect(loadProbeConfig(env).rounds).toBe(rounds);
        else expect(errorOf(() => loadProbeConfig(env)).variable).toBe('PROBE_ROUNDS');
      }),
    );
  });
});
