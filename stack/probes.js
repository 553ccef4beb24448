'use strict';
/**
 * The data-plane probes (issue 13): one `probe` function per probe subnet, added only when the
 * operator passes `--param="probeSubnets=subnet-…,subnet-…"` (one subnet per AZ). Without it this
 * plugin adds nothing and the template is exactly the stack without probes.
 *
 * Why a plugin and not YAML: serverless.yml cannot make a variable number of functions, and a
 * `functions:` array merge is a legacy path. The functions are added at the `initialize` lifecycle
 * event, when `${param:…}` values are resolved (osls resolves the `param` source only after the
 * plugins are constructed: scripts/serverless.js) and before packaging, so serverless-esbuild
 * bundles them like the others (it reads the service's functions lazily).
 *
 * Why the VPC settings go through `resources.extensions` instead of the function's `vpc` key: the
 * framework attaches AWSLambdaVPCAccessExecutionRole to the SHARED role (reconcile's) as soon as any
 * function has a `vpc` key (lib/plugins/aws/package/lib/merge-iam-templates.js), although the
 * probes use a role of their own. Reconcile's role must not gain network-interface writes because a
 * probe exists.
 */

const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const MAX_PROBES = 6;

/** A bad value as an error shows it: quoted, escaped (one line whatever it holds), capped. */
const shown = (s) => JSON.stringify(String(s).slice(0, 40)).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

const list = (s) =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Validates the params; returns undefined when no probe is wanted. Throws Error with one line. */
function probeSettings(custom) {
  const subnets = list(custom.subnets);
  if (subnets.length === 0) return undefined;
  if (subnets.length > MAX_PROBES) throw new Error(`probeSubnets: ${subnets.length} subnets; at most ${MAX_PROBES} (one per AZ)`);
  for (const s of subnets) if (!SUBNET.test(s)) throw new Error(`probeSubnets: ${shown(s)} is not a subnet id (subnet-…)`);
  if (new Set(subnets).size !== subnets.length) throw new Error('probeSubnets: a subnet is listed twice');
  const vpcId = String(custom.vpcId ?? '').trim();
  if (!VPC.test(vpcId)) throw new Error(`probeVpcId: the VPC of the probe subnets is needed for their security group (got ${shown(vpcId)})`);
  return { subnets, vpcId };
}

/**
 * What the probes add to the service: functions, resources and function extensions. Pure, so the
 * shape is testable without packaging.
 */
function probeStack({ service, stage, custom, logicalId }) {
  const settings = probeSettings(custom);
  if (settings === undefined) return undefined;
  const prefix = `${service}-${stage}`;
  const functions = {};
  const extensions = {};
  const subnetArns = [];
  for (const subnetId of settings.subnets) {
    const key = `probe${subnetId.slice('subnet-'.length)}`;
    functions[key] = {
      handler: 'handlers/probe.handler',
      name: `${prefix}-probe-${subnetId}`,
      description: `Data-plane probe through the home NAT gateway of ${subnetId}'s AZ`,
      memorySize: Number(custom.memorySize),
      // Worst case: 20 s of rounds (the config caps it) + the cold start's describes + the invoke.
      timeout: 30,
      // By ARN (the extension's DependsOn orders it), as for `manual`: a logical name would make the
      // framework add a DependsOn that cfn-lint flags as redundant next to its own GetAtt.
      role: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-\${AWS::Region}-probe` },
      environment: {
        PROBE_SUBNET_ID: subnetId,
        PROBE_TARGETS: String(custom.targets),
        PROBE_TIMEOUT_MS: String(custom.timeoutMs),
        PROBE_ROUNDS: String(custom.rounds),
        PROBE_FAILED_ROUNDS: String(custom.failedRounds),
        PROBE_ROUND_GAP_MS: String(custom.roundGapMs),
        RECONCILE_FUNCTION_NAME: `${prefix}-reconcile`,
      },
      // A lost or failed invocation is not worth a retry: the next minute's runs anyway.
      maximumRetryAttempts: 0,
      maximumEventAge: 60,
      // A failed verdict the probe could not send (its invoke goes out through the home NAT gateway,
      // maybe the broken one) fails the invocation with the verdict: Lambda itself, outside the VPC,
      // hands that record to reconcile (handlers/probe.ts, src/events/parse.ts).
      destinations: { onFailure: 'reconcile' },
      // `rate` as a list: the framework normalized the YAML functions' schedules before `initialize`.
      events: [{ schedule: { rate: ['rate(1 minute)'], enabled: true } }],
    };
    // One subnet per function: Lambda may place an invocation in any of a function's subnets, and
    // each probe must run behind its own AZ's gateway.
    extensions[logicalId(key)] = {
      DependsOn: ['ProbeRole'],
      Properties: { VpcConfig: { SubnetIds: [subnetId], SecurityGroupIds: [{ 'Fn::GetAtt': ['ProbeSecurityGroup', 'GroupId'] }] } },
    };
    subnetArns.push({ 'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:subnet/${subnetId}` });
  }
  const arn = (rest) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${rest}` });
  const resources = {
    // Egress only (TCP to anywhere: the targets, and the AWS APIs through the NAT gateway; UDP 53
    // so name resolution works whichever resolver the VPC uses); no ingress rule at all.
    ProbeSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} data-plane probes: egress only`,
        VpcId: settings.vpcId,
        SecurityGroupEgress: [
          { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: '0.0.0.0/0', Description: 'probe targets and AWS APIs' },
          { IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: '0.0.0.0/0', Description: 'DNS' },
        ],
      },
    },
    ProbeRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Sub': `${prefix}-\${AWS::Region}-probe` },
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'nat-failover-probe',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'Logs',
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${prefix}-probe-*:*`),
                },
                // AWSLambdaVPCAccessExecutionRole's ENI actions, scoped: Lambda creates the function's
                // network interface with the execution role, in the probe subnets with the probe
                // security group only (Lambda guide, "Giving Lambda functions access to resources in
                // an Amazon VPC": the required permissions; AWS managed policy reference).
                {
                  Sid: 'CreateProbeEni',
                  Effect: 'Allow',
                  Action: ['ec2:CreateNetworkInterface'],
                  Resource: [
                    arn(`ec2:\${AWS::Region}:\${AWS::AccountId}:network-interface/*`),
                    ...subnetArns,
                    { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${ProbeSecurityGroup.GroupId}' },
                  ],
                },
                {
                  Sid: 'ManageProbeEni',
                  Effect: 'Allow',
                  Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
                  Resource: arn(`ec2:\${AWS::Region}:\${AWS::AccountId}:network-interface/*`),
                },
                // Describes support no resource-level permissions (DescribeNetworkInterfaces only
                // works on "*", per the same Lambda guide page). Read-only: where the probe runs.
                {
                  Sid: 'Observe',
                  Effect: 'Allow',
                  Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNatGateways'],
                  Resource: '*',
                },
                {
                  Sid: 'InvokeReconcile',
                  Effect: 'Allow',
                  Action: ['lambda:InvokeFunction'],
                  Resource: { 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] },
                },
              ],
            },
          },
        ],
      },
    },
  };
  return { functions, resources, extensions };
}

class Probes {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { initialize: () => this.addProbes() };
  }

  addProbes() {
    const sls = this.serverless;
    const custom = (sls.service.custom && sls.service.custom.probes) || {};
    const provider = sls.getProvider('aws');
    let added;
    try {
      added = probeStack({
        service: sls.service.service,
        stage: provider.getStage(),
        custom,
        logicalId: (key) => provider.naming.getLambdaLogicalId(key),
      });
    } catch (e) {
      throw new sls.classes.Error(e.message, 'NAT_FAILOVER_PROBE_PARAMS');
    }
    if (added === undefined) return;
    Object.assign(sls.service.functions, added.functions);
    sls.service.resources = sls.service.resources || {};
    const res = sls.service.resources;
    res.Resources = { ...(res.Resources || {}), ...added.resources };
    res.extensions = { ...(res.extensions || {}), ...added.extensions };
    // Deployed probes are read: reconcile's PROBES follows probeSubnets (a stack with probe
    // functions and PROBES=off would ignore their verdicts, and restores would stay unproven).
    // PROBES=on without probeSubnets stays possible for probes deployed by another stack.
    sls.service.provider.environment = { ...(sls.service.provider.environment || {}), PROBES: 'on' };
  }
}

module.exports = Probes;
module.exports.probeStack = probeStack;
module.exports.probeSettings = probeSettings;
