/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- CloudFormation JSON has an open shape: the code checks what it relies on (Type, Code, Default) and throws otherwise */
/**
 * The release template, derived from the template `serverless package` writes, by a pure transform
 * (so `serverless deploy` stays the primary path and the two cannot drift apart):
 *
 * - `npm run release` packages once with every `serverless.yml` param set to a sentinel
 *   (`sentinel(name)`), so each place a param's value reaches (function environments, IAM
 *   conditions, CloudFormation parameter defaults, resource properties) is found exactly, not
 *   guessed from its default value ('false', '5' and '3' are each the default of two params).
 * - Each sentinel becomes a `Ref` to a Parameter (or `${Param}` inside an `Fn::Sub`), the Parameter
 *   taking the param's default and its constraints (releaseParameters.ts). A param that
 *   serverless.yml already declares as a CloudFormation parameter (its Default is `${param:x}`)
 *   keeps that parameter and its constraints.
 * - Function code comes from `CodeBucket` (`<CodeBucket>-<region>` while CodeBucketRegionSuffix is
 *   true) + `CodeKeyPrefix` + the zip's name: one template and one set of values for every region,
 *   each reading its regional bucket. The deployment bucket, its policy and its output are dropped.
 * - A param used where a string cannot go (a number-typed serverless setting) fails `serverless
 *   package` in the release: such a param cannot become a CloudFormation Parameter anyway.
 */
import { accepts, type Constraint } from './releaseParameters';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MARK = 'NFPARAM';
/** Alphanumeric, so it survives wherever serverless puts a param (names, ARNs, JSON strings). */
export const sentinel = (name: string): string => `${MARK}${name}${MARK}`;
// A name is alphanumeric and holds no MARK, so two sentinels side by side read as two.
const ONE = `${MARK}((?:(?!${MARK})[A-Za-z0-9])+)${MARK}`;
const SENTINELS = new RegExp(ONE, 'g');
const WHOLE = new RegExp(`^${ONE}$`);

/** The params `serverless.yml` uses (`${param:name}` or `${param:name, fallback}`), in order of first use. */
export function paramNames(yaml: string): string[] {
  const packageTime = new Set(packageTimeParams(yaml));
  const names = [...yaml.matchAll(/\$\{param:([A-Za-z0-9]+)\s*[,}]/g)].map((m) => m[1] ?? '').filter((n) => !packageTime.has(n));
  return [...new Set(names)];
}

/**
 * Params read at package time by stack/probes.js (serverless.yml `custom.probes`): they decide
 * which resources exist (one probe function per subnet), which a CloudFormation Parameter cannot.
 * The release leaves them at their defaults (no probe functions): probes are per VPC and deployed
 * with `serverless deploy --param probeSubnets=…` (docs/probes.md, docs/organization.md).
 */
export function packageTimeParams(yaml: string): string[] {
  const block = /^custom:\n(?:(?: {2}.*|)\n)*? {2}probes:\n((?: {4}.*\n)+)/m.exec(yaml)?.[1] ?? '';
  return [...new Set([...block.matchAll(/\$\{param:([A-Za-z0-9]+)\s*[,}]/g)].map((m) => m[1] ?? ''))];
}

export interface ReleaseInput {
  /** `cloudformation-template-update-stack.json` of a package made with every param set to its sentinel. */
  readonly template: Json;
  /** Param name to its default for the stage (serverless.yml `params.default` merged with `params.<stage>`). */
  readonly defaults: Readonly<Record<string, string>>;
  readonly constraints: Readonly<Record<string, Constraint>>;
  /** Default of the CodeKeyPrefix parameter. */
  readonly codeKeyPrefix: string;
  readonly description: string;
  /** Recorded under Metadata.nat-failover (version, commit, ...). */
  readonly metadata: Json;
}

export interface Release {
  readonly template: Json;
  /** The zips the template's functions load, by file name. */
  readonly zips: string[];
  /** serverless.yml param name to its CloudFormation parameter's logical id. */
  readonly parameters: Record<string, string>;
}

export const CODE_BUCKET = 'CodeBucket';
export const CODE_KEY_PREFIX = 'CodeKeyPrefix';
export const CODE_BUCKET_REGION_SUFFIX = 'CodeBucketRegionSuffix';
const CODE_BUCKET_PER_REGION = 'CodeBucketPerRegion';

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Every `Ref`, `Fn::GetAtt` target and `${Name}` of an `Fn::Sub` string in a node. */
function references(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((x) => references(x, into));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0] ?? '');
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) into.add(m[1] ?? '');
        references(Array.isArray(v) ? v.slice(1) : [], into);
      } else references(v, into);
    }
  }
  return into;
}

export function releaseTemplate(input: ReleaseInput): Release {
  const source = structuredClone(input.template);
  const taken = new Set([CODE_BUCKET, CODE_BUCKET_REGION_SUFFIX, CODE_KEY_PREFIX, 'CodeBucketPerRegion', ...Object.keys(source.Parameters ?? {}), ...Object.keys(source.Resources ?? {}), ...Object.keys(source.Conditions ?? {}), ...Object.keys(source.Outputs ?? {})]);
  const parameters: Record<string, string> = {};
  const declared = new Set<string>();
  const used = new Set<string>();

  // Params serverless.yml declares as CloudFormation parameters itself: their Default is the sentinel.
  const sourceParams: Json = source.Parameters ?? {};
  for (const [id, p] of Object.entries(sourceParams)) {
    const m = typeof p.Default === 'string' ? WHOLE.exec(p.Default) : null;
    if (m?.[1]) {
      parameters[m[1]] = id;
      declared.add(m[1]);
      used.add(m[1]);
    }
  }
  const idOf = (name: string): string => {
    if (!(name in input.defaults)) throw new Error(`serverless.yml uses \${param:${name}} but params sets no default for it`);
    used.add(name);
    if (!parameters[name]) {
      let id = pascal(name);
      if (taken.has(id)) id = `${id}Param`;
      if (taken.has(id)) throw new Error(`no free logical id for param ${name}`);
      taken.add(id);
      parameters[name] = id;
    }
    return parameters[name];
  };

  // Sentinels to Ref / ${Param}. Inside an Fn::Sub string a param is `${Id}`; elsewhere a string
  // holding a sentinel among other text becomes an Fn::Sub of its own ('${' escaped as '${!').
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.includes(MARK)) return node;
      const whole = WHOLE.exec(node);
      if (whole?.[1]) return { Ref: idOf(whole[1]) };
      return { 'Fn::Sub': node.replaceAll('${', '${!').replace(SENTINELS, (_, n: string) => `\${${idOf(n)}}`) };
    }
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k.includes(MARK)) throw new Error(`a param reaches a template key (${k.slice(0, 80)}): CloudFormation cannot parameterize keys`);
      if (k === 'Fn::Sub') {
        const sub = (s: unknown): unknown => (typeof s === 'string' ? s.replace(SENTINELS, (_, n: string) => `\${${idOf(n)}}`) : s);
        out[k] = Array.isArray(v) ? [sub(v[0]), ...v.slice(1).map(walk)] : sub(v);
      } else out[k] = walk(v);
    }
    return out;
  };

  const resources: Json = walk(source.Resources ?? {}) as Json;
  const conditions: Json | undefined = source.Conditions ? (walk(source.Conditions) as Json) : undefined;
  let outputs: Json | undefined = source.Outputs ? (walk(source.Outputs) as Json) : undefined;

  // Code: the bucket(s) serverless uploads to are found as the functions' Code.S3Bucket targets.
  const buckets = new Set<string>();
  const zips: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const code: Json = r.Properties?.Code ?? {};
    const bucket: unknown = code.S3Bucket?.Ref;
    const key: unknown = code.S3Key;
    if (typeof bucket !== 'string' || typeof key !== 'string') throw new Error(`${id}: Code is not { S3Bucket: Ref, S3Key: string } (${JSON.stringify(code).slice(0, 120)})`);
    buckets.add(bucket);
    const zip = key.split('/').pop() ?? '';
    if (!/^[\w.-]+\.zip$/.test(zip)) throw new Error(`${id}: S3Key does not end in a zip name`);
    zips.push(zip);
    r.Properties.Code = { S3Bucket: { 'Fn::If': [CODE_BUCKET_PER_REGION, { 'Fn::Sub': `\${${CODE_BUCKET}}-\${AWS::Region}` }, { Ref: CODE_BUCKET }] }, S3Key: { 'Fn::Sub': `\${${CODE_KEY_PREFIX}}${zip}` } };
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::S3::BucketPolicy' && buckets.has(r.Properties?.Bucket?.Ref)) delete resources[id];
  }
  for (const b of buckets) delete resources[b];
  // Outputs naming the bucket (ServerlessDeploymentBucketName) go with it.
  if (outputs) outputs = Object.fromEntries(Object.entries(outputs).filter(([, o]) => ![...references(o)].some((x) => buckets.has(x))));
  for (const [id, r] of Object.entries(resources)) {
    const dangling = [...references(r)].filter((x) => buckets.has(x));
    if (dangling.length > 0) throw new Error(`${id} still refers to the deployment bucket ${dangling.join(', ')}`);
  }

  // Every sentinel is gone, or a param reached somewhere the walk did not go.
  const rest = JSON.stringify({ resources, conditions, outputs });
  if (rest.includes(MARK)) throw new Error(`a param value is left unparameterized: ${rest.slice(Math.max(0, rest.indexOf(MARK) - 60), rest.indexOf(MARK) + 60)}`);

  // The environment variables each Parameter sets, for its Description.
  const variables = new Map<string, string[]>();
  for (const r of Object.values(resources)) {
    for (const [v, value] of Object.entries((r.Properties?.Environment?.Variables ?? {}) as Json)) {
      const ref: unknown = value?.Ref;
      if (typeof ref === 'string' && !(variables.get(ref) ?? []).includes(v)) variables.set(ref, [...(variables.get(ref) ?? []), v]);
    }
  }
  const params: Json = {
    // Lambda reads a zip only from a bucket in the function's own region (AWS::Lambda::Function Code,
    // S3Bucket), so each region needs its copy. With the suffix on (default), one value serves every
    // region of a stack set: CodeBucket `acme-nat-failover` reads from `acme-nat-failover-eu-west-1`.
    [CODE_BUCKET]: {
      Type: 'String',
      Description: 'S3 bucket holding the function zips; with CodeBucketRegionSuffix=true the base name, the stack reading <CodeBucket>-<its region>',
      // 48 leaves room for '-' and the longest region name within S3's 63 characters.
      AllowedPattern: '^[a-z0-9][a-z0-9.-]{1,46}[a-z0-9]$',
      ConstraintDescription: 'an S3 bucket name (a base name of at most 48 characters)',
    },
    [CODE_BUCKET_REGION_SUFFIX]: {
      Type: 'String',
      Description: 'true: read the zips from <CodeBucket>-<region> (one bucket per region, one parameter value for all); false: from CodeBucket itself',
      Default: 'true',
      AllowedValues: ['true', 'false'],
    },
    [CODE_KEY_PREFIX]: {
      Type: 'String',
      Description: 'key prefix of the zips in CodeBucket, ending in / (a new prefix per release: CloudFormation updates the code only when the key changes)',
      Default: input.codeKeyPrefix,
      AllowedPattern: "^([0-9A-Za-z!_.*'()-]+/)*$",
      ConstraintDescription: "empty, or path segments of letters, digits and !_.*'()- each ending in /",
    },
  };
  for (const [name, id] of Object.entries(parameters)) {
    if (!used.has(name)) continue;
    const def = input.defaults[name];
    if (def === undefined) throw new Error(`serverless.yml uses \${param:${name}} but params sets no default for it`);
    if (def.includes('${')) throw new Error(`param ${name}: default ${JSON.stringify(def.slice(0, 60))} is a variable; a release needs a literal default`);
    const base: Json = declared.has(name) ? { ...sourceParams[id] } : { Type: 'String', ...(input.constraints[name] ?? {}) };
    base.Default = def;
    if (!base.Description) base.Description = `${variables.get(id)?.join(', ') ?? 'stack setting'}: serverless.yml param ${name} (docs/configuration.md)`;
    const c: Constraint = base as Constraint;
    if (!accepts(c, def)) throw new Error(`param ${name}: its default ${JSON.stringify(def.slice(0, 60))} breaks its own constraint`);
    params[id] = base;
  }
  for (const [id, p] of Object.entries(sourceParams)) if (!(id in params)) params[id] = p;

  const code = [CODE_BUCKET, CODE_BUCKET_REGION_SUFFIX, CODE_KEY_PREFIX];
  const settings = Object.keys(params).filter((id) => !code.includes(id));
  const template: Json = {
    AWSTemplateFormatVersion: source.AWSTemplateFormatVersion ?? '2010-09-09',
    Description: input.description,
    Metadata: {
      ...(source.Metadata ?? {}),
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [
          { Label: { default: 'Code location (upload the release zips here first)' }, Parameters: code },
          { Label: { default: 'Settings (docs/configuration.md)' }, Parameters: settings },
        ],
      },
      // Which template parameter each serverless.yml param became (for `--param=name=value` users).
      'nat-failover': { ...input.metadata, parameters: Object.fromEntries(Object.entries(parameters).filter(([n]) => used.has(n))) },
    },
    Parameters: params,
    Conditions: { ...(conditions ?? {}), [CODE_BUCKET_PER_REGION]: { 'Fn::Equals': [{ Ref: CODE_BUCKET_REGION_SUFFIX }, 'true'] } },
    Resources: resources,
    ...(outputs && Object.keys(outputs).length > 0 ? { Outputs: outputs } : {}),
  };
  return { template, zips, parameters: Object.fromEntries(Object.entries(parameters).filter(([n]) => used.has(n))) };
}

/** `sha256sum -c` input: `<hex>  <name>` per line, sorted by name. */
export function checksumFile(sums: Readonly<Record<string, string>>): string {
  return Object.entries(sums)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, hex]) => {
      if (!/^[0-9a-f]{64}$/.test(hex) || /[\s\\]/.test(name)) throw new Error(`checksum line for ${JSON.stringify(name)}: bad hash or name`);
      return `${hex}  ${name}\n`;
    })
    .join('');
}
