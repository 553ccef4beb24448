/**
 * A failover sent to the deployed function whose answer is lost (client timeout) is sent once,
 * never again, and the CLI reads the state back (moto) and says what happened. The Lambda client
 * is a fake (aws-sdk-client-mock); EC2 is moto. Before: the CLI's Retrier resent it up to 8 times.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { STYLE } from '../../src/cli/failure';
import { main } from '../../src/cli/main';
import { readPin } from '../../src/core/state';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { newEc2, type SeededVpc, seedVpc, tagsOf } from '../integration/seed';
import { sdkError } from '../aws/fakes';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

describeWithMoto('a change whose answer is lost (fake Lambda, moto EC2)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let vpc: SeededVpc;
  const lambda = mockClient(LambdaClient);

  useMoto((m) => (moto = m));
  afterAll(async () => {
    lambda.restore();
  });
  beforeEach(async () => {
    lambda.reset();
    await moto.reset();
    ec2 = newEc2();
    vpc = await seedVpc(ec2);
  });

  const cli = async (...argv: string[]) => {
    const c = capture();
    const code = await main([...argv, '--endpoint', moto.endpoint, '--region', 'us-east-1'], c.io, { ...process.env });
    return { code, out: c.out, err: c.err };
  };

  it('the function never ran: one Invoke, exit 3, and the state says the failover did not take effect', async () => {
    lambda.on(InvokeCommand).rejects(sdkError('TimeoutError', 0, 'Request did not complete within 150000 ms'));
    const r = await cli('failover', '--az', 'us-east-1a', '--reason', 'CHG-1');
    expect(r.code).toBe(3);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(r.err[0]).toMatch(STYLE);
    expect(r.err[0]).toMatch(/^nat-failover: unknown outcome \(Invoke\): nat-failover-prod-manual may or may not have run: .*Not sent again/);
    expect(r.err[1]).toMatch(/^ {2}state at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: the failover did not take effect: none of the 1 table\(s\) carries a pin/);
    expect(r.err[2]).toMatch(new RegExp(`^ {2}${vpc.azs[0]!.routeTableId} \\(${vpc.vpcId}, us-east-1a\\): home, routes to ${vpc.azs[0]!.natId}$`));
    expect(readPin(await tagsOf(ec2, vpc.azs[0]!.routeTableId))).toBeUndefined();
  });

  it('the function ran and the answer was lost: one Invoke, and the state says the failover was recorded', async () => {
    // The fake "function" really does the failover (in process, against moto), then the answer is lost.
    lambda.on(InvokeCommand).callsFake(async () => {
      const done = await main(['failover', '--az', 'us-east-1a', '--reason', 'CHG-2', '--direct', '--endpoint', moto.endpoint, '--region', 'us-east-1'], capture().io, { ...process.env });
      expect(done).toBe(0);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    const r = await cli('failover', '--az', 'us-east-1a', '--reason', 'CHG-2');
    expect(r.code).toBe(3);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(r.err[1]).toMatch(/the failover was recorded: all 1 table\(s\) carry the pin.*Do not send it again$/);
    expect(r.err[2]).toMatch(new RegExp(`^ {2}${vpc.azs[0]!.routeTableId} \\(${vpc.vpcId}, us-east-1a\\): pinned, routes to nat-\\w+; pinned away from us-east-1a by \\S+@cli$`));
  });

  it('a throttled change is sent again and answered: no unknown outcome', async () => {
    lambda
      .on(InvokeCommand)
      .rejectsOnce(sdkError('TooManyRequestsException', 429))
      .resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify({ ok: true, action: 'release', dryRun: false, by: 'x@cli', tables: [], pin: null, message: 'nothing to release', via: 'none', run: null })) as never });
    const r = await cli('release', '--az', 'us-east-1a');
    expect(r.code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    expect(r.out.join('\n')).toContain('nothing to release');
  });

  it('with only AWS_ENDPOINT_URL and AWS_REGION set, missing credentials are a one-line refusal saying how to set dummy ones', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/nonexistent-home', AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const saved = { ...process.env };
    // The SDK's credential chain reads process.env, not main's env: run it with only these.
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, env);
    try {
      const c = capture();
      const code = await main(['status'], c.io, process.env);
      expect(code).toBe(2);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(/^nat-failover: refused \(credentials\): no AWS credentials found .*AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test$/);
      // The same environment plus dummy credentials works.
      process.env.AWS_ACCESS_KEY_ID = 'test';
      process.env.AWS_SECRET_ACCESS_KEY = 'test';
      const ok = capture();
      expect(await main(['status'], ok.io, process.env)).toBe(0);
      expect(ok.out[0]).toMatch(/^nat-failover status at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    } finally {
      for (const k of Object.keys(process.env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('status --vpc of a VPC with no managed tables says so, and lists the tables by VPC then AZ otherwise', async () => {
    const none = await cli('status', '--vpc', 'vpc-0123456789abcdef0');
    expect(none.code).toBe(0);
    expect(none.out[0]).toContain('no managed route tables in vpc-0123456789abcdef0: nat-failover watches nothing here');
    expect(none.out[0]).not.toContain('every managed table routes');
    // A second VPC whose AZs are created in reverse: the order must come from the sort, not EC2.
    await seedVpc(ec2, { azs: ['us-east-1c', 'us-east-1b', 'us-east-1a'], cidr: '10.1.0.0/16' });
    const all = await cli('status', '--json');
    const tables = JSON.parse(all.out[0]!).tables as { vpcId: string; az: string }[];
    expect(tables).toHaveLength(6);
    const keys = tables.map((t) => `${t.vpcId} ${t.az}`);
    expect(keys).toEqual([...keys].sort());
    const text = await cli('status');
    const rows = text.out[0]!.split('\n').filter((l) => /^rtb-\S+\s+vpc-/.test(l)).map((l) => l.split(/\s+/).slice(1, 3).join(' '));
    expect(rows).toEqual(keys);
  });
});
