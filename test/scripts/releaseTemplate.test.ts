/**
 * The release transform (scripts/releaseTemplate.ts) on small templates, and the release
 * parameters' constraints (scripts/releaseParameters.ts) against src/config.ts. The real packaged
 * template goes through it in test/stack/release.test.ts.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENV_VARS, loadConfig } from '../../src/config';
import { accepts, CONSTRAINTS, intPattern } from '../../scripts/releaseParameters';
import { checksumFile, packageTimeParams, paramNames, releaseTemplate, sentinel as S, type ReleaseInput } from '../../scripts/releaseTemplate';
import { instantiate, normalize, type Json } from './cfn';

const ROOT = resolve(__dirname, '../..');

function packaged(extra: Json = {}): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'The AWS CloudFormation template for this Serverless application',
    Parameters: { VpcIds: { Type: 'String', Default: S('vpcIds'), AllowedPattern: '^(vpc-[0-9a-f]{8,17}(,vpc-[0-9a-f]{8,17})*)?$' } },
    Conditions: { Scoped: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'VpcIds' }, ''] }] } },
    Resources: {
      ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      ServerlessDeploymentBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'ServerlessDeploymentBucket' } } },
      AFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Bucket: { Ref: 'ServerlessDeploymentBucket' }, S3Key: 'serverless/svc/prod/1795979481396-2026-11-29T19:11:21.396Z/a.zip' },
          Environment: { Variables: { TAG: S('tag'), VPCS: S('vpcIds'), FIXED: 'x', MIXED: `pre-\${x}-${S('tag')}-post` } },
        },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyDocument: {
                Statement: [
                  {
                    Condition: { StringEquals: { 'aws:ResourceTag/k': S('tag') } },
                    Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:x:\${AWS::Region}:${S('tag')}` },
                  },
                ],
              },
            },
          ],
        },
      },
      ...extra,
    },
    Outputs: { ServerlessDeploymentBucketName: { Value: { Ref: 'ServerlessDeploymentBucket' } }, Fn: { Value: { Ref: 'AFunction' } } },
  };
}

const input = (over: Partial<ReleaseInput> = {}): ReleaseInput => ({
  template: packaged(),
  defaults: { tag: 'enabled', vpcIds: '' },
  constraints: { tag: { MinLength: 1 } },
  codeKeyPrefix: 'nat-failover/1.0.0-abc/',
  description: 'test',
  metadata: { version: '1.0.0' },
  ...over,
});

describe('release template: the transform', () => {
  it('turns every place a param reached into a reference to its Parameter, with its default and constraints', () => {
    const { template: t, parameters } = releaseTemplate(input());
    expect(parameters).toEqual({ vpcIds: 'VpcIds', tag: 'Tag' });
    const env = t.Resources.AFunction.Properties.Environment.Variables;
    expect(env).toEqual({ TAG: { Ref: 'Tag' }, VPCS: { Ref: 'VpcIds' }, FIXED: 'x', MIXED: { 'Fn::Sub': 'pre-${!x}-${Tag}-post' } });
    const st = t.Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0];
    expect(st.Condition.StringEquals['aws:ResourceTag/k']).toEqual({ Ref: 'Tag' });
    expect(st.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Tag}' });
    // serverless.yml's own CloudFormation parameter is kept, with its pattern, and its default filled in.
    expect(t.Parameters.VpcIds).toMatchObject({ Default: '', AllowedPattern: expect.stringMatching(/^\^\(vpc-/) });
    expect(t.Parameters.Tag).toMatchObject({ Type: 'String', Default: 'enabled', MinLength: 1 });
    expect(t.Parameters.Tag.Description).toBe('TAG: serverless.yml param tag (docs/configuration.md)');
    expect(t.Conditions).toEqual({ ...packaged().Conditions, CodeBucketPerRegion: expect.anything() });
    expect(JSON.stringify(t)).not.toContain('NFPARAM');
  });

  it('loads code from CodeBucket + CodeKeyPrefix and drops the deployment bucket, its policy and its output', () => {
    const { template: t, zips } = releaseTemplate(input());
    expect(zips).toEqual(['a.zip']);
    expect(t.Resources.AFunction.Properties.Code).toEqual({
      S3Bucket: { 'Fn::If': ['CodeBucketPerRegion', { 'Fn::Sub': '${CodeBucket}-${AWS::Region}' }, { Ref: 'CodeBucket' }] },
      S3Key: { 'Fn::Sub': '${CodeKeyPrefix}a.zip' },
    });
    expect(t.Conditions.CodeBucketPerRegion).toEqual({ 'Fn::Equals': [{ Ref: 'CodeBucketRegionSuffix' }, 'true'] });
    expect(t.Parameters.CodeBucketRegionSuffix.Default).toBe('true');
    expect(t.Parameters.CodeKeyPrefix.Default).toBe('nat-failover/1.0.0-abc/');
    expect(t.Parameters.CodeBucket).not.toHaveProperty('Default');
    expect(Object.keys(t.Resources).sort()).toEqual(['AFunction', 'Role']);
    expect(Object.keys(t.Outputs)).toEqual(['Fn']);
    expect(JSON.stringify(t)).not.toMatch(/ServerlessDeploymentBucket|serverless\/svc/);
    expect(t.Metadata['nat-failover']).toEqual({ version: '1.0.0', parameters: { vpcIds: 'VpcIds', tag: 'Tag' } });
    expect(t.Metadata['AWS::CloudFormation::Interface'].ParameterGroups.flatMap((g: Json) => g.Parameters).sort()).toEqual(Object.keys(t.Parameters).sort());
  });

  it('names a Parameter apart from a resource of the same name', () => {
    const { template: t, parameters } = releaseTemplate(
      input({ template: packaged({ Tag: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: S('tag') } } }) }),
    );
    expect(parameters.tag).toBe('TagParam');
    expect(t.Resources.Tag.Properties.DisplayName).toEqual({ Ref: 'TagParam' });
  });

  it('refuses, in one line, what it cannot make honest', () => {
    const cases: Array<[Partial<ReleaseInput>, RegExp]> = [
      [{ defaults: { vpcIds: '' } }, /\$\{param:tag\} but params sets no default/],
      [{ defaults: { tag: '', vpcIds: '' } }, /param tag: its default "" breaks its own constraint/],
      [{ defaults: { tag: '${env:X}', vpcIds: '' } }, /is a variable; a release needs a literal default/],
      [{ template: packaged({ K: { Type: 'X', Properties: { [`aws:ResourceTag/${S('tag')}`]: 'y' } } }) }, /reaches a template key/],
      [{ template: packaged({ Log: { Type: 'X', Properties: { Bucket: { Ref: 'ServerlessDeploymentBucket' } } } }) }, /^Log still refers to the deployment bucket/],
      [{ template: packaged({ Z: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' } } } }) }, /^Z: Code is not/],
    ];
    for (const [over, message] of cases) {
      expect(() => releaseTemplate(input(over))).toThrow(message);
      try {
        releaseTemplate(input(over));
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });

  it('is what the packaged template would be, for any parameter values (property)', () => {
    // Strings with sentinels anywhere, inside and outside Fn::Sub, with `${...}` text around them.
    const fragment = fc.oneof(
      fc.constantFrom(S('tag'), S('ratio'), S('vpcIds')),
      fc.stringMatching(/^[a-z:/ ,.-]{0,6}$/),
      fc.constantFrom('${AWS::Region}', '${!Literal}', '${Other}', '$', '{'),
    );
    const text = fc.array(fragment, { maxLength: 5 }).map((xs) => xs.join(''));
    const value = fc.oneof(text, text.map((s) => ({ 'Fn::Sub': s })), fc.array(text, { maxLength: 3 }));
    const props = fc.dictionary(fc.stringMatching(/^[A-Z][a-z]{1,6}$/), value, { maxKeys: 6 });
    const setting = fc.stringMatching(/^[A-Za-z0-9 ,.-]{1,8}$/);
    fc.assert(
      fc.property(props, setting, setting, (properties, tag, ratio) => {
        // A plain string outside Fn::Sub must not look like a variable unless a sentinel makes it one: serverless never writes those.
        const template = packaged({ Thing: { Type: 'AWS::X::Y', Properties: properties } });
        const release = releaseTemplate(input({ template, defaults: { tag: 'enabled', ratio: '0.5', vpcIds: '' }, constraints: {} }));
        const ids = release.parameters;
        const values: Record<string, string> = { [ids.tag ?? 'Tag']: tag, [ids.ratio ?? 'Ratio']: ratio, VpcIds: 'vpc-0123abcd' };
        const byName: Record<string, string> = { tag, ratio, vpcIds: 'vpc-0123abcd' };
        const expected = JSON.parse(JSON.stringify(template.Resources.Thing).replace(/NFPARAM([A-Za-z0-9]+?)NFPARAM/g, (_, n: string) => byName[n] ?? ''));
        const got = instantiate(release.template, values).Resources.Thing;
        expect(normalize(got)).toEqual(normalize(expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe('release template: serverless.yml params and their constraints', () => {
  const yaml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  /** `VARIABLE: ${param:name}` lines: the variable each param sets. */
  const variableOf = new Map([...yaml.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*\$\{param:([A-Za-z0-9]+)\}\s*$/gm)].map((m) => [m[2] ?? '', m[1] ?? '']));
  const declaresOwnParameter = (name: string) => new RegExp(`Default:\\s*'\\$\\{param:${name}\\}'`).test(yaml);

  it('finds the params serverless.yml uses', () => {
    expect(paramNames('a: ${param:one}\nb: "${param:two, \'x\'}"\nc: ${param:one}\nd: ${params:no}')).toEqual(['one', 'two']);
    expect(paramNames(yaml)).toEqual(expect.arrayContaining(['managedTagValue', 'vpcIds', 'dashboard', 'logLevel']));
  });

  it('leaves out the params that decide at package time which probe functions exist (custom.probes), and only those', () => {
    const synthetic = 'provider:\n  environment:\n    A: ${param:a}\ncustom:\n  other:\n    x: ${param:x}\n  probes:\n    subnets: ${param:subnets}\n    vpcId: ${param:vpc}\n  esbuild:\n    y: ${param:y}\n';
    expect(packageTimeParams(synthetic)).toEqual(['subnets', 'vpc']);
    expect(paramNames(synthetic)).toEqual(['a', 'x', 'y']);
    expect(packageTimeParams(yaml)).toEqual(expect.arrayContaining(['probeSubnets', 'probeVpcId']));
    // The reconcile side of the probes is configuration like any other: it stays a Parameter.
    expect(paramNames(yaml)).toEqual(expect.arrayContaining(['probes', 'probeBadRounds']));
    expect(paramNames(yaml)).not.toContain('probeSubnets');
  });

  it('has a constraint for every param (add one to scripts/releaseParameters.ts), unless serverless.yml declares its own CloudFormation parameter', () => {
    expect(paramNames(yaml).filter((n) => !(n in CONSTRAINTS) && !declaresOwnParameter(n))).toEqual([]);
  });

  // The loader's one cross-setting rule (SOFT_BAD_PERIODS <= SOFT_WINDOW_PERIODS) is not expressible
  // in a parameter constraint; each side is checked with the other at its extreme.
  const relax: Record<string, Record<string, string>> = {
    SOFT_BAD_PERIODS: { SOFT_WINDOW_PERIODS: '60' },
    SOFT_WINDOW_PERIODS: { SOFT_BAD_PERIODS: '1' },
    // The same M <= N rule for the probe rounds.
    PROBE_BAD_ROUNDS: { PROBE_WINDOW_ROUNDS: '20' },
    PROBE_WINDOW_ROUNDS: { PROBE_BAD_ROUNDS: '1' },
  };
  const loaded = Object.entries(CONSTRAINTS).flatMap(([name, c]) => {
    const variable = variableOf.get(name);
    return variable && variable in ENV_VARS ? [[name, variable, c] as const] : [];
  });
  const loaderAccepts = (variable: string, value: string): boolean => {
    try {
      loadConfig({ ...relax[variable], [variable]: value });
      return true;
    } catch {
      return false;
    }
  };

  it('maps the constrained params to the variables loadConfig reads', () => {
    expect(loaded.map(([, v]) => v)).toEqual(expect.arrayContaining(['MANAGED_TAG_VALUE', 'DRY_RUN', 'RESTORE_HOLD_DOWN_SECONDS', 'PACKET_DROP_RATIO', 'ALARMS']));
  });

  it.each(loaded.map(([n, v, c]) => [n, v, c]))('%s: every value CloudFormation accepts, loadConfig accepts as %s (property)', (name, variable, c) => {
    const candidates = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.nat({ max: 2_000_000 }).map(String),
      fc.double({ min: -1, max: 2, noNaN: true }).map(String),
      fc.constantFrom(...(c.AllowedValues ?? []), ' ', '', '0', '1', '60', '61', '0.', '.5', '1e-3', '00', '1000000000000', '1000000000001'),
    );
    fc.assert(fc.property(candidates, (value) => !accepts(c, value) || loaderAccepts(variable, value)), { numRuns: 500 });
    // The default passes both.
    const def = new RegExp(`^\\s+${name}:\\s*'?([^'\\n]*)'?\\s*$`, 'm').exec(yaml)?.[1] ?? '';
    expect([accepts(c, def), loaderAccepts(variable, def)]).toEqual([true, true]);
  });

  it.each(loaded.filter(([, , c]) => /whole number/.test(c.ConstraintDescription ?? '')).map(([n, v, c]) => [n, v, c]))(
    '%s: on whole numbers CloudFormation and loadConfig agree exactly (%s)',
    (_name, variable, c) => {
      const [min, max] = /(\d+)\.\.(\d+)/.exec(c.ConstraintDescription ?? '')!.slice(1).map(Number) as [number, number];
      const near = fc.constantFrom(min - 1, min, min + 1, max - 1, max, max + 1).filter((n) => n >= 0);
      fc.assert(fc.property(fc.oneof(near, fc.nat({ max: Math.min(max * 2, 2 ** 31) })), (n) => accepts(c, String(n)) === loaderAccepts(variable, String(n))), { numRuns: 300 });
    },
  );
});

describe('intPattern', () => {
  it('matches exactly min..max written without leading zeros (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), fc.nat({ max: 2_000_000 }), (a, b, n) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const re = new RegExp(intPattern(min, max));
        for (const x of [n, min, max, min - 1, max + 1].filter((v) => v >= 0)) expect(re.test(String(x))).toBe(x >= min && x <= max);
        expect(re.test(`0${Math.max(min, 1)}`)).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(new RegExp(intPattern(0, 1e12)).test('1000000000000')).toBe(true);
    expect(new RegExp(intPattern(0, 1e12)).test('1000000000001')).toBe(false);
  });
});

describe('checksumFile', () => {
  it('writes `<sha256>  <name>` lines sorted by name, as sha256sum -c reads them', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(checksumFile({ 'z.zip': a, 'nat-failover.template.json': b })).toBe(`${b}  nat-failover.template.json\n${a}  z.zip\n`);
    expect(() => checksumFile({ 'a b.zip': a })).toThrow(/bad hash or name/);
    expect(() => checksumFile({ 'a.zip': 'A'.repeat(64) })).toThrow(/bad hash or name/);
  });
});
