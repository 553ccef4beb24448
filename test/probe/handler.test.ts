/**
 * The deployed entry point (handlers/probe.ts) end to end against real local servers: its
 * configuration from the environment, the operator's CA file, the SDK calls (mocked at the client:
 * the exact requests), the EMF line on stdout, and the verdict sent to reconcile.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { join } from 'node:path';
import { PROBE_EVENT_SOURCE, PROBE_NAMESPACE, PROBE_UNDELIVERED_ERROR, type ProbeVerdictEvent } from '../../src/core/probe';
import { parseEvent } from '../../src/events/parse';
import { placementWarnings } from '../../src/probe/probe';
import { probeRunner, trustedCas } from '../../src/lambda/probeWiring';
import { loadProbeConfig } from '../../src/probe/config';
import type { ProbeCloud, ProbePlacement } from '../../src/probe/ports';
import { httpsServer, refusingPort, type Running, silentTcp } from './servers';

const SUBNET = 'subnet-0a1b2c3d';
const running: Running[] = [];
const savedEnv = { ...process.env };
// The SDK reads its region and credentials at each send, so they stay set for the whole file.
beforeAll(() => Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }));
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all(running.map((r) => r.close()));
});

type Ec2Module = typeof import('@aws-sdk/client-ec2');
type LambdaModule = typeof import('@aws-sdk/client-lambda');
interface Cold {
  readonly handler: () => Promise<unknown>;
  readonly ec2: ReturnType<typeof mockClient>;
  readonly lambda: ReturnType<typeof mockClient>;
  readonly Invoke: LambdaModule['InvokeCommand'];
  readonly DescribeRouteTables: Ec2Module['DescribeRouteTablesCommand'];
}

/**
 * Loads handlers/probe.ts afresh with `env` (it reads its configuration at load, as on a cold
 * start). Its SDK modules are the isolated registry's own copies, so the mocks are made there.
 */
async function coldStart(env: Record<string, string>, invoke: (l: ReturnType<typeof mockClient>, m: LambdaModule) => void = (l, m) => void l.on(m.InvokeCommand).resolves({ StatusCode: 202 })): Promise<Cold> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let cold: Cold | undefined;
    await jest.isolateModulesAsync(async () => {
      const e = (await import('@aws-sdk/client-ec2')) as Ec2Module;
      const l = (await import('@aws-sdk/client-lambda')) as LambdaModule;
      const ec2 = mockClient(e.EC2Client);
      const lambda = mockClient(l.LambdaClient);
      ec2
        .on(e.DescribeSubnetsCommand, { SubnetIds: [SUBNET] })
        .resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: 'vpc-0a1b2c3d', AvailabilityZone: 'eu-west-1b' }] })
        .on(e.DescribeSubnetsCommand, { SubnetIds: ['subnet-public-b'] })
        .resolves({ Subnets: [{ SubnetId: 'subnet-public-b', VpcId: 'vpc-0a1b2c3d', AvailabilityZone: 'eu-west-1b' }] })
        .on(e.DescribeRouteTablesCommand)
        .resolves({ RouteTables: [{ RouteTableId: 'rtb-probe-b', Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-b' }] }] })
        .on(e.DescribeNatGatewaysCommand)
        .resolves({ NatGateways: [{ NatGatewayId: 'nat-b', SubnetId: 'subnet-public-b' }] });
      invoke(lambda, l);
      const mod = await import('../../handlers/probe');
      cold = { handler: mod.handler, ec2, lambda, Invoke: l.InvokeCommand, DescribeRouteTables: e.DescribeRouteTablesCommand };
    });
    return cold!;
  } finally {
    process.env = saved;
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  }
}

function stdoutLines(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

const CA = join(__dirname, 'fixtures', 'localhost.crt');

describe('handlers/probe.ts', () => {
  it('healthy: one round, one EMF line with ProbeFailed 0 and the latency, no invoke; placement read once per container', async () => {
    const tcp = await silentTcp().then((s) => (running.push(s), s)); // a tcp:// target only needs to accept
    const https = await httpsServer(200).then((s) => (running.push(s), s));
    const { handler, ec2, lambda, Invoke, DescribeRouteTables } = await coldStart({
      PROBE_SUBNET_ID: SUBNET,
      PROBE_TARGETS: `tcp://127.0.0.1:${tcp.port},https://localhost:${https.port}/ping`,
      PROBE_CA_FILE: CA,
      RECONCILE_FUNCTION_NAME: 'nat-failover-test-reconcile',
    });
    const out = stdoutLines();
    try {
      await expect(handler()).resolves.toMatchObject({ verdict: 'ok', roundsRun: 1, roundsFailed: 0, availabilityZone: 'eu-west-1b', reconcileNotified: false });
      await handler();
    } finally {
      out.restore();
    }
    const emf = out.lines.map((l) => JSON.parse(l)).filter((o) => o._aws);
    expect(emf).toHaveLength(2);
    expect(emf[0]._aws.CloudWatchMetrics).toStrictEqual([
      { Namespace: PROBE_NAMESPACE, Dimensions: [['VpcId', 'AvailabilityZone']], Metrics: [{ Name: 'ProbeFailed', Unit: 'Count' }] },
    ]);
    expect(emf[0]).toMatchObject({ VpcId: 'vpc-0a1b2c3d', AvailabilityZone: 'eu-west-1b', ProbeFailed: 0 });
    expect(typeof emf[0].ProbeLatencyMs).toBe('number');
    expect(lambda).not.toHaveReceivedCommand(Invoke);
    // Two invocations, one placement read: the describes are not repeated by a warm container.
    expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTables, 1);
    expect(https.requests).toEqual([`GET /ping host=localhost:${https.port}`, `GET /ping host=localhost:${https.port}`]);
    // A healthy home placement: no warning line.
    expect(out.lines.filter((l) => l.includes('"WARN"'))).toEqual([]);
  });

  it('failing: confirms (2 of 3), publishes ProbeFailed 1 without latency, and invokes reconcile with the verdict', async () => {
    const refused = await refusingPort();
    const hanging = await silentTcp().then((s) => (running.push(s), s));
    const { handler, lambda, Invoke } = await coldStart({
      PROBE_SUBNET_ID: SUBNET,
      PROBE_TARGETS: `tcp://127.0.0.1:${refused},tls://127.0.0.1:${hanging.port}`,
      PROBE_TIMEOUT_MS: '200',
      PROBE_ROUND_GAP_MS: '0',
      RECONCILE_FUNCTION_NAME: 'nat-failover-test-reconcile',
    });
    const out = stdoutLines();
    let summary: unknown;
    try {
      summary = await handler();
    } finally {
      out.restore();
    }
    expect(summary).toMatchObject({ verdict: 'failed', roundsRun: 2, roundsFailed: 2, reconcileNotified: true });
    const emf = out.lines.map((l) => JSON.parse(l)).filter((o) => o._aws);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ ProbeFailed: 1 });
    expect(emf[0]).not.toHaveProperty('ProbeLatencyMs');
    expect(emf[0]._aws.CloudWatchMetrics[0].Metrics).toStrictEqual([{ Name: 'ProbeFailed', Unit: 'Count' }]);

    expect(lambda).toHaveReceivedCommandTimes(Invoke, 1);
    const input = lambda.commandCalls(Invoke)[0]!.args[0].input as { Payload: Uint8Array };
    expect(input).toMatchObject({ FunctionName: 'nat-failover-test-reconcile', InvocationType: 'Event' });
    const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as ProbeVerdictEvent;
    expect(event).toMatchObject({
      source: 'nat-failover.probe',
      'detail-type': 'NAT Failover Probe Verdict',
      detail: { version: 1, vpcId: 'vpc-0a1b2c3d', availabilityZone: 'eu-west-1b', subnetId: SUBNET, natGatewayId: 'nat-b', verdict: 'failed', roundsRun: 2, roundsFailed: 2 },
    });
    expect(event.time).toBe(event.detail.at);
    // The metric and the verdict are stamped with the same instant: the first round's start.
    expect(emf[0]._aws.Timestamp).toBe(Date.parse(event.detail.at));
    expect(event.detail.results).toStrictEqual([
      expect.objectContaining({ target: `tcp://127.0.0.1:${refused}`, ok: false, stage: 'tcp', error: 'ECONNREFUSED' }),
      expect.objectContaining({ target: `tls://127.0.0.1:${hanging.port}`, ok: false, stage: 'tls', error: 'timeout' }),
    ]);
    // The contract's result shape only: the internal connect time stays out of the event.
    for (const r of event.detail.results) expect(Object.keys(r).sort()).toEqual(['error', 'ms', 'ok', 'stage', 'target']);
  });

  it('a failed invoke (the broken NAT is also the way to the Lambda API) still leaves the metric, and fails the invocation with the verdict for the OnFailure destination', async () => {
    const refused = await refusingPort();
    const { handler } = await coldStart({ PROBE_SUBNET_ID: SUBNET, PROBE_TARGETS: `tcp://127.0.0.1:${refused}`, PROBE_ROUND_GAP_MS: '0', RECONCILE_FUNCTION_NAME: 'r' }, (l, m) =>
      void l.on(m.InvokeCommand).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' })),
    );
    const out = stdoutLines();
    let error: unknown;
    try {
      await handler();
    } catch (e) {
      error = e;
    } finally {
      out.restore();
    }
    // Lambda reports the error's name as errorType and its message as errorMessage to the
    // destination (reconcile): the message is the whole verdict event, which reconcile unwraps.
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe(PROBE_UNDELIVERED_ERROR);
    const verdict = JSON.parse((error as Error).message) as ProbeVerdictEvent;
    expect(verdict).toMatchObject({ source: PROBE_EVENT_SOURCE, detail: { verdict: 'failed', subnetId: SUBNET } });
    const parsed = parseEvent({ version: '1.0', requestContext: { condition: 'RetriesExhausted' }, responseContext: { functionError: 'Unhandled' }, responsePayload: { errorType: (error as Error).name, errorMessage: (error as Error).message } });
    expect(parsed.probe).toMatchObject({ kind: 'probe-verdict', round: { failed: true } });
    expect(out.lines.some((l) => l.includes('"ProbeFailed":1'))).toBe(true);
    expect(out.lines.some((l) => l.includes('"WARN"') && l.includes('could not invoke r'))).toBe(true);
  });

  it('a bad configuration stops the cold start with one line naming the variable', async () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(coldStart({ PROBE_SUBNET_ID: SUBNET, PROBE_TARGETS: 'ftp://x', RECONCILE_FUNCTION_NAME: 'r' })).rejects.toThrow(/^PROBE_TARGETS: entry 1 "ftp:\/\/x": unknown scheme/);
      expect(err).toHaveBeenCalledWith(expect.stringMatching(/^nat-failover probe configuration error: PROBE_TARGETS: /));
    } finally {
      err.mockRestore();
    }
  });
});

describe('probeRunner placement', () => {
  // Port 9 (discard) on loopback: refused at once, so rounds cost nothing here.
  const config = loadProbeConfig({ PROBE_SUBNET_ID: SUBNET, PROBE_TARGETS: 'tcp://127.0.0.1:9', PROBE_ROUND_GAP_MS: '0', RECONCILE_FUNCTION_NAME: 'r' });
  const home: ProbePlacement = { subnetId: SUBNET, vpcId: 'vpc-1', availabilityZone: 'a', routeTableId: 'rtb-p', natGatewayId: 'nat-a', natGatewayAz: 'a', routeTableTagKeys: ['Name'], usesMainTable: false };

  it.each<[string, Partial<ProbePlacement>, RegExp]>([
    ['a managed table', { routeTableTagKeys: ['Name', 'nat-failover'] }, /carries the nat-failover tag/],
    ['the main table', { usesMainTable: true }, /no route table of its own/],
    ['no NAT default route', { natGatewayId: undefined, natGatewayAz: undefined }, /no 0.0.0.0\/0 route to a NAT gateway/],
    ["another AZ's gateway", { natGatewayId: 'nat-b', natGatewayAz: 'b' }, /routes through nat-b in b: the probe must measure its own AZ's gateway/],
    ['a gateway of unknown AZ', { natGatewayAz: undefined }, /whose AZ could not be read/],
  ])('warns about %s, once per container', async (_, change, why) => {
    const placement = { ...home, ...change } as ProbePlacement;
    expect(placementWarnings(home, 'nat-failover')).toEqual([]);
    const cloud: ProbeCloud = { placement: jest.fn(async () => placement), notifyReconcile: jest.fn(async () => undefined) };
    const warn = jest.fn();
    const run = probeRunner(config, { cloud, warn, emit: () => undefined });
    // Even two overlapping invocations read the placement once.
    await Promise.all([run(), run()]);
    await run();
    expect(warn.mock.calls.filter(([m]) => why.test(m as string))).toHaveLength(1);
    expect(cloud.placement).toHaveBeenCalledTimes(1);
  });

  it('reads the placement again after a failed read (nothing cached on error)', async () => {
    const cloud: ProbeCloud = { placement: jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(home), notifyReconcile: jest.fn(async () => undefined) };
    const run = probeRunner(config, { cloud, warn: () => undefined, emit: () => undefined });
    await expect(run()).rejects.toThrow('throttled');
    await run();
    await run();
    expect(cloud.placement).toHaveBeenCalledTimes(2);
  });
});

describe('trustedCas', () => {
  it("adds the operator's CA to Node's roots, never replaces them; a bad file is one line", () => {
    expect(trustedCas(undefined)).toBeUndefined();
    const cas = trustedCas(CA)!;
    expect(cas.length).toBeGreaterThan(100);
    expect(cas[cas.length - 1]).toContain('BEGIN CERTIFICATE');
    expect(() => trustedCas('/nonexistent/ca.pem')).toThrow(/^PROBE_CA_FILE: cannot read \/nonexistent\/ca.pem: ENOENT$/);
    expect(() => trustedCas('x', () => 'not pem')).toThrow(/holds no PEM certificate/);
  });
});
