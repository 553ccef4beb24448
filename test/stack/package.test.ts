/**
 * The deployable artefact: `serverless package` offline, then the CloudFormation it would deploy
 * and the zip it would upload. Resources are found by what they are, not by count or position,
 * so functions, rules and statements added later do not break these checks.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, ROOT, type StagedProject, stageProject } from './project';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const STAGE = 'test';
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

let project: StagedProject;
let out: string;
let template: Json;
let resources: [string, Json][];
let packageMs = 0;

beforeAll(() => {
  project = stageProject('package');
  out = join(project.dir, 'artifact');
  const started = Date.now();
  const r = project.serverless(['package', '--package', out, '--stage', STAGE]);
  packageMs = Date.now() - started;
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = Object.entries(template.Resources as Json);
}, 180_000);

afterAll(() => project?.remove());

const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const reconcileFn = (): [string, Json] => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.FunctionName === `nat-failover-${STAGE}-reconcile`);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const roleStatements = (): Statement[] =>
  ofType('AWS::IAM::Role').flatMap(([, r]) => asList(r.Properties.Policies as Json[]).flatMap((p) => asList(p.PolicyDocument.Statement as Statement[])));
const actionsOf = (s: Statement) => asList(s.Action);
/** A resource as written, `Fn::Sub` templates included, to tell route tables from the rest. */
const resourceText = (s: Statement) => JSON.stringify(s.Resource);

describe('serverless package: the reconcile function', () => {
  it('runs the handler on the Node major the tests run on (.nvmrc), outside any VPC, with reserved concurrency 1', () => {
    const [, fn] = reconcileFn();
    const major = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
    expect(fn.Properties.Runtime).toBe(`nodejs${major}.x`);
    expect(process.env.CI === 'true' ? process.versions.node.split('.')[0] : major).toBe(major);
    expect(fn.Properties.Handler).toBe('handlers/reconcile.handler');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties).not.toHaveProperty('VpcConfig');
  });

  it('is the target of an EventBridge rule firing every minute', () => {
    const [id] = reconcileFn();
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression === 'rate(1 minute)');
    const targetsReconcile = schedules.filter(([, r]) =>
      asList(r.Properties.Targets as Json[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })),
    );
    expect(targetsReconcile).toHaveLength(1);
    expect(targetsReconcile[0]![1].Properties.State).toBe('ENABLED');
    // EventBridge may invoke it.
    const permissions = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com' && JSON.stringify(p.Properties.FunctionName).includes(id),
    );
    expect(permissions.length).toBeGreaterThanOrEqual(1);
  });
});

describe('serverless package: asynchronous invocations of reconcile', () => {
  it('drops events older than 15 minutes, retries once, and sends a lost event to the lost-events queue', () => {
    const [id] = reconcileFn();
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: id }));
    expect(configs).toHaveLength(1);
    const p = configs[0]![1].Properties;
    expect(p.MaximumEventAgeInSeconds).toBeLessThanOrEqual(900);
    expect(p.MaximumRetryAttempts).toBe(1);
    const queues = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.QueueName === `nat-failover-${STAGE}-lost-events`);
    expect(queues).toHaveLength(1);
    expect(p.DestinationConfig.OnFailure.Destination).toStrictEqual({ 'Fn::GetAtt': [queues[0]![0], 'Arn'] });
    // The function may send to it.
    const send = roleStatements().filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(send.map((s) => JSON.stringify(s.Resource))).toContainEqual(expect.stringContaining(queues[0]![0]));
  });
});

describe('serverless package: the IAM role', () => {
  const MANAGED_TAG = { 'aws:ResourceTag/nat-failover': 'enabled' };
  const WRITES = ['ec2:ReplaceRoute', 'ec2:CreateTags', 'ec2:DeleteTags'];

  it('lets route-table writes happen only on tables tagged nat-failover=enabled', () => {
    const onTables = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => WRITES.includes(a)) && resourceText(s).includes('route-table'));
    const granted = new Set(onTables.flatMap(actionsOf).filter((a) => WRITES.includes(a)));
    expect([...granted].sort()).toStrictEqual([...WRITES].sort());
    for (const s of onTables) expect(s.Condition?.StringEquals).toMatchObject(MANAGED_TAG);
  });

  it('lets CreateTags and DeleteTags write only keys under nat-failover:, and only requests that name keys', () => {
    const tagging = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === 'ec2:CreateTags' || a === 'ec2:DeleteTags'));
    expect(tagging.length).toBeGreaterThanOrEqual(1);
    for (const s of tagging) {
      expect(s.Condition?.['ForAllValues:StringLike']).toStrictEqual({ 'aws:TagKeys': ['nat-failover:*'] });
      // ForAllValues is true of an empty key set, and DeleteTags without keys deletes every tag.
      expect(s.Condition?.Null).toStrictEqual({ 'aws:TagKeys': 'false' });
      expect(s.Condition?.StringEquals).toMatchObject(MANAGED_TAG);
    }
  });

  it('grants no write on every resource: statements on "*" are describe/get/list only', () => {
    const wildcard = roleStatements().filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'));
    expect(wildcard.length).toBeGreaterThanOrEqual(1);
    const actions = wildcard.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeRouteTables', 'ec2:DescribeNatGateways', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones', 'cloudwatch:GetMetricData']));
    for (const a of actions) expect(a).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
  });

  it('grants ReplaceRoute on route tables only: no natgateway/* statement (EC2 authorises the table, not the target)', () => {
    const replace = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('ec2:ReplaceRoute'));
    expect(replace.length).toBeGreaterThanOrEqual(1);
    for (const s of replace) expect(resourceText(s)).toMatch(/:route-table\/\*/);
    expect(JSON.stringify(template)).not.toContain('natgateway/');
  });

  it('scopes no write by VPC when VPC_IDS is empty (the default): the ec2:Vpc condition is switched off', () => {
    expect(template.Parameters.VpcIds.Default).toBe('');
    const writes = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => WRITES.includes(a)));
    for (const s of writes) expect(s.Condition?.ArnLike).toStrictEqual({ 'Fn::If': ['ScopedToVpcs', expect.anything(), { Ref: 'AWS::NoValue' }] });
  });

  it('never grants a service wildcard such as ec2:*', () => {
    for (const a of roleStatements().flatMap(actionsOf)) expect(a).not.toMatch(/:\*$|^\*$/);
  });

  it('lets alarm writes reach only the gateway alarms (-gw-), not the stack\'s reconcile-* alarms or a sibling stage\'s', () => {
    const writes = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === 'cloudwatch:PutMetricAlarm' || a === 'cloudwatch:DeleteAlarms'));
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (const s of writes) expect(asList(s.Resource).map((r) => JSON.stringify(r))).toStrictEqual([expect.stringMatching(new RegExp(`:alarm:nat-failover-${STAGE}-gw-\\*"`))]);
  });
});

describe('serverless package: the continuation (issue 16)', () => {
  it('lets the reconcile role invoke only the reconcile function itself, so a run cut short by its deadline continues at once', () => {
    const invokes = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('lambda:InvokeFunction'));
    const texts = invokes.map(resourceText);
    expect(texts.some((t) => t.includes(`:function:nat-failover-${STAGE}-reconcile`))).toBe(true);
    // Any InvokeFunction grant names one function of this stack, never a wildcard.
    for (const t of texts) expect(t).not.toMatch(/function:\*|"\*"/);
  });
});

describe('serverless package: the alarm rule', () => {
  it('wakes reconcile only for the gateway alarms entering ALARM', () => {
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => asList(r.Properties.EventPattern?.source).includes('aws.cloudwatch'));
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.EventPattern.detail.alarmName).toStrictEqual([{ prefix: `nat-failover-${STAGE}-gw-` }]);
  });
});

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

describe('serverless package: errors from the shipped bundle', () => {
  it('name their class and point into our sources (keepNames + source maps), as Lambda would report them', async () => {
    // Prepare: the zip as Lambda unpacks it, and the function's own NODE_OPTIONS.
    const dir = join(project.dir, 'unzipped');
    expect(spawnSync('unzip', ['-q', '-o', join(out, 'reconcile.zip'), '-d', dir]).status).toBe(0);
    const [, fn] = reconcileFn();
    const nodeOptions: string = fn.Properties.Environment.Variables.NODE_OPTIONS;
    expect(nodeOptions).toContain('--enable-source-maps');
    const port = await closedPort();
    const script = `
      const { handler } = require('./handlers/reconcile.js');
      const ctx = { functionName: 'f', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 };
      handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, ctx).then(
        () => process.stdout.write('{}'),
        // What the Node.js runtime reports for a failed invocation: errorType is the error's name.
        (e) => process.stdout.write(JSON.stringify({ errorType: e.name, constructor: e.constructor.name, stack: e.stack })));`;

    // Act: EC2 refuses every connection.
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: nodeOptions,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        MANAGED_TAG_KEY: 'nat-failover',
        ALARMS: 'off',
      },
    });

    // Assess
    expect(r.status).toBe(0);
    const failure = JSON.parse(r.stdout);
    expect(failure.errorType).toBe('TransientError');
    expect(failure.constructor).toBe('TransientError');
    expect(failure.stack).toMatch(/^TransientError: Describe[A-Za-z]+ failed transiently: .*ECONNREFUSED/);
    // Source-mapped: frames name our TypeScript files, not positions in the minified bundle.
    expect(failure.stack).toMatch(/\bsrc\/aws\/[a-zA-Z]+\.ts:\d+:\d+/);
  }, 90_000);
});

describe('serverless package: the artefact', () => {
  it('passes cfn-lint', () => {
    if (!onPath('cfn-lint')) {
      if (process.env.CI === 'true') throw new Error("cfn-lint not found on PATH: install it with `pip install cfn-lint` (CI requires it)");
      console.warn('\n!!! SKIPPING cfn-lint on the packaged template: cfn-lint is not on PATH (pip install cfn-lint)\n');
      return;
    }
    const r = spawnSync('cfn-lint', [join(out, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles the AWS SDK we tested into the handler (nothing left to the runtime\'s copy), with a source map', () => {
    const zip = join(out, 'reconcile.zip');
    const listing = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const entries = listing.stdout.split('\n').filter(Boolean);
    expect(entries).toStrictEqual(expect.arrayContaining(['handlers/reconcile.js', 'handlers/reconcile.js.map']));
    const js = spawnSync('unzip', ['-p', zip, 'handlers/reconcile.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    // No require of any package: the SDK, Powertools, middy and zod are all inside. The one left
    // is the SDK's optional native SigV4a signer, which it loads in a try/catch only for
    // multi-region endpoints (S3 MRAP, EventBridge global endpoints) we never call.
    const required = new Set(js.match(/require\("@(aws-sdk|smithy|aws-lambda-powertools|middy)\/[^"]+"\)/g));
    expect([...required]).toStrictEqual(['require("@aws-sdk/signature-v4-crt")']);
    const map = JSON.parse(spawnSync('unzip', ['-p', zip, 'handlers/reconcile.js.map'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout);
    const sources: string[] = map.sources;
    const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    for (const client of ['client-ec2', 'client-cloudwatch', 'client-sns']) {
      expect(sources.some((s) => s.includes(`node_modules/@aws-sdk/${client}/`))).toBe(true);
      // The version in the bundle is the one the lockfile pins (the one the tests ran).
      expect(lockfile.packages[`node_modules/@aws-sdk/${client}`].version).toBe(JSON.parse(readFileSync(join(ROOT, 'node_modules', '@aws-sdk', client, 'package.json'), 'utf8')).version);
    }
    // The SDK's own code for what our code depends on ships with it: the EC2 model's NatGateway
    // member AvailabilityMode (a schema entry, `{[name]:"AvailabilityMode", …}`, not our reads of
    // it) and the HTTP handler's throwOnRequestTimeout (the handler's message about the option).
    expect(js).toMatch(/\[0,\{\[[A-Za-z_$]+\]:"AvailabilityMode",/);
    expect(js).toContain('throwOnRequestTimeout=true to turn this into an error');
    // Mappings only: stack traces need names and positions, not the sources.
    expect(map.sourcesContent).toBeUndefined();
    const zips = readdirSync(out).filter((f) => f.endsWith('.zip'));
    const sizes = zips.map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(1)} KiB`);
    const jsKiB = (Buffer.byteLength(js) / 1024).toFixed(1);
    console.log(`serverless package took ${(packageMs / 1000).toFixed(1)} s; ${sizes.join(', ')}; handlers/reconcile.js ${jsKiB} KiB unzipped`);
  });
});

describe('serverless package without probeSubnets (the default)', () => {
  it('has no VPC-attached function, no probe function, role or security group', () => {
    expect(ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.VpcConfig !== undefined || r.Properties.Handler === 'handlers/probe.handler')).toEqual([]);
    expect(resources.filter(([id]) => /^Probe/.test(id))).toEqual([]);
    expect(ofType('AWS::EC2::SecurityGroup')).toEqual([]);
    // The shared role gains the VPC access policy only when a function has a `vpc` key.
    expect(template.Resources.IamRoleLambdaExecution.Properties.ManagedPolicyArns).toBeUndefined();
    // Without probe functions reconcile does not wait for probe proof (PROBES defaults to off).
    for (const [, f] of ofType('AWS::Lambda::Function')) expect(f.Properties.Environment.Variables.PROBES).toBe('off');
  });
});
