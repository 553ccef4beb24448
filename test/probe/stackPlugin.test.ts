/**
 * stack/probes.js, the local plugin that adds the probes: what it adds for given params, what it
 * refuses (one line each), and that it adds nothing at all without probeSubnets. The packaged
 * result is checked in test/stack/probes.test.ts.
 */
import fc from 'fast-check';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Probes = require('../../stack/probes.js') as (new (sls: unknown) => { hooks: { initialize: () => void } }) & {
  probeStack: (a: unknown) => { functions: Record<string, unknown>; resources: Record<string, unknown>; extensions: Record<string, unknown> } | undefined;
  probeSettings: (c: unknown) => unknown;
};

const params = { targets: 'tls://example.com', timeoutMs: '2000', rounds: '3', failedRounds: '2', roundGapMs: '1000', memorySize: '128' };

class FakeError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function fakeServerless(custom: Record<string, unknown>) {
  const service = {
    service: 'nat-failover',
    provider: { environment: { PROBES: 'off', LOG_LEVEL: 'INFO' } as Record<string, string> },
    custom: { probes: { ...params, ...custom } },
    functions: { reconcile: { handler: 'handlers/reconcile.handler' } },
    resources: { Resources: { NotificationTopic: { Type: 'AWS::SNS::Topic' } }, extensions: { ManualLambdaFunction: { DependsOn: ['ManualRole'] } } },
  };
  return {
    service,
    classes: { Error: FakeError },
    getProvider: () => ({ getStage: () => 'prod', naming: { getLambdaLogicalId: (k: string) => `${k[0]!.toUpperCase()}${k.slice(1)}LambdaFunction` } }),
  };
}

describe('stack/probes.js', () => {
  it('adds nothing without probeSubnets: the service is left exactly as it was', () => {
    for (const subnets of ['', ' ', ',', undefined]) {
      const sls = fakeServerless({ subnets, vpcId: '' });
      const before = JSON.stringify(sls.service);
      new Probes(sls).hooks.initialize();
      expect(JSON.stringify(sls.service)).toBe(before);
    }
  });

  it('adds one function per subnet with its own VPC extension, keeping what was there', () => {
    const sls = fakeServerless({ subnets: 'subnet-0a1b2c3d, subnet-0b2c3d4e', vpcId: 'vpc-0a1b2c3d' });
    new Probes(sls).hooks.initialize();
    expect(Object.keys(sls.service.functions)).toEqual(['reconcile', 'probe0a1b2c3d', 'probe0b2c3d4e']);
    expect(Object.keys(sls.service.resources.Resources)).toEqual(['NotificationTopic', 'ProbeSecurityGroup', 'ProbeRole']);
    expect(sls.service.resources.extensions).toMatchObject({
      ManualLambdaFunction: { DependsOn: ['ManualRole'] },
      Probe0a1b2c3dLambdaFunction: { Properties: { VpcConfig: { SubnetIds: ['subnet-0a1b2c3d'] } } },
      Probe0b2c3d4eLambdaFunction: { Properties: { VpcConfig: { SubnetIds: ['subnet-0b2c3d4e'] } } },
    });
    // Deployed probes are read: PROBES follows probeSubnets, the rest of the environment stays.
    expect(sls.service.provider.environment).toStrictEqual({ PROBES: 'on', LOG_LEVEL: 'INFO' });
    // No `vpc` key on the function: that would attach the VPC access policy to the shared role.
    for (const f of Object.values(sls.service.functions)) expect(f).not.toHaveProperty('vpc');
  });

  it.each([
    [{ subnets: 'subnet-0a1b2c3d', vpcId: '' }, /^probeVpcId: /],
    [{ subnets: 'subnet-0a1b2c3d', vpcId: 'vpc-nothex!' }, /^probeVpcId: /],
    [{ subnets: 'sg-0a1b2c3d', vpcId: 'vpc-0a1b2c3d' }, /^probeSubnets: "sg-0a1b2c3d" is not a subnet id/],
    [{ subnets: 'subnet-0a1b2c3d,subnet-0a1b2c3d', vpcId: 'vpc-0a1b2c3d' }, /listed twice/],
    [{ subnets: Array.from({ length: 7 }, (_, i) => `subnet-0a1b2c3${i}`).join(','), vpcId: 'vpc-0a1b2c3d' }, /at most 6/],
  ])('refuses %j with one line', (custom, why) => {
    const sls = fakeServerless(custom);
    let thrown: unknown;
    try {
      new Probes(sls).hooks.initialize();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FakeError);
    expect((thrown as FakeError).code).toBe('NAT_FAILOVER_PROBE_PARAMS');
    expect((thrown as Error).message).toMatch(why);
    expect((thrown as Error).message).not.toMatch(/\n/);
  });

  it('shows a bad subnet escaped on one line', () => {
    expect(() => Probes.probeSettings({ subnets: 'a\u2028b\nc', vpcId: 'vpc-0a1b2c3d' })).toThrow('probeSubnets: "a\\u2028b\\nc" is not a subnet id');
  });

  it('echoes no more than 40 characters of a bad subnet (generated)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }).filter((s) => !s.includes(',') && s.trim() !== '' && !/^subnet-[0-9a-f]{8,17}$/.test(s.trim())), (bad) => {
        expect(() => Probes.probeSettings({ subnets: bad, vpcId: 'vpc-0a1b2c3d' })).toThrow();
        try {
          Probes.probeSettings({ subnets: bad, vpcId: 'vpc-0a1b2c3d' });
        } catch (e) {
          expect((e as Error).message.length).toBeLessThanOrEqual(300);
          expect((e as Error).message).not.toMatch(/[\r\n\u2028\u2029]/);
        }
      }),
    );
  });
});
