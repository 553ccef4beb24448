/**
 * Every refusal of the CLI is one line in one style (src/cli/failure.ts, docs/operating.md
 * "Errors and exit codes"), exit code 2, no stack trace, no unbounded echo of what was typed.
 * Before: three styles (`nat-failover: --x: …`, `error in az (invalid-request): …`,
 * `--reason: is required`) followed by the 20-line usage.
 */
import fc from 'fast-check';
import { main } from '../../src/cli/main';
import { cliWording, NO_CREDENTIALS, STYLE, toCliError } from '../../src/cli/failure';
import { CloudApiError, TransientError } from '../../src/errors';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

/** What a refusal must look like, whatever the input. */
async function expectRefusal(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const c = capture();
  const code = await main(argv, c.io, env);
  expect(code).toBe(2);
  expect(c.out).toEqual([]);
  expect(c.err).toHaveLength(1);
  const line = c.err[0]!;
  expect(line).toMatch(STYLE);
  expect(line.match(STYLE)![1]).toBe('refused');
  expect(line).not.toMatch(/\n|\r|\u2028|\u2029/);
  expect(line).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
  // Bounded whatever was typed: subject <= 60, why <= 500, plus the frame.
  expect(line.length).toBeLessThanOrEqual(600);
  return line;
}

// Strings of every kind: control characters, lone surrogates, bidi overrides, and long ones.
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 300, maxLength: 3000 }),
  fc.constantFrom('', ' ', '\n', 'a\nb', '\u202e', '\ud800', '(x)', 'x'.repeat(100_000)),
);
const AZ = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$|^[a-z]{2}(-[a-z]+)+-\d+(-[a-z0-9]+)+[a-z]$|^[a-z]{2,5}\d+(-[a-z0-9]+)?-az\d+$/;
const NAT = /^nat-[0-9a-f]{8,17}$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
// Values node:util would read as a flag, not as the value: the refusal is then about the flag.
const notFlag = (v: string) => !v.startsWith('-');

/** A valid command line plus one generated defect: every refusal path of the parser. */
const badCommandLine: fc.Arbitrary<readonly string[]> = fc.oneof(
  hostile.filter((v) => notFlag(v) && !AZ.test(v.trim()) && v.trim() !== '').map((v) => ['failover', '--az', v, '--reason', 'r']),
  hostile.filter((v) => notFlag(v) && !NAT.test(v)).map((v) => ['failover', '--gateway', v, '--reason', 'r']),
  hostile.filter((v) => notFlag(v) && !NAT.test(v)).map((v) => ['failover', '--az', 'us-east-1a', '--target', v, '--reason', 'r']),
  hostile.filter((v) => notFlag(v) && !VPC.test(v)).map((v) => ['status', '--vpc', v]),
  // Reasons: empty, control characters, or longer than 200.
  hostile.filter((v) => notFlag(v) && (v.trim() === '' || /\p{Cc}/u.test(v) || v.trim().length > 200)).map((v) => ['failover', '--az', 'us-east-1a', '--reason', v]),
  hostile.filter((v) => notFlag(v) && !/^\s*\d+[mhd]\s*$/.test(v)).map((v) => ['failover', '--az', 'us-east-1a', '--reason', 'r', '--expires', v]),
  hostile.filter((v) => notFlag(v) && !REGION.test(v)).map((v) => ['status', '--region', v]),
  hostile.filter((v) => notFlag(v) && !/^https?:\/\/[^/]/.test(v)).map((v) => ['status', '--endpoint', v]),
  hostile.filter((v) => notFlag(v) && !/^[a-zA-Z0-9-]{1,32}$/.test(v)).map((v) => ['status', '--stage', v]),
  hostile.filter((v) => !['status', 'plan', 'failover', 'restore', 'release', 'help'].includes(v) && notFlag(v) && v !== '').map((v) => [v]),
  hostile.filter((v) => /^[a-z][a-z-]*$/.test(v) === false || v.length > 20).map((v) => ['status', `--${v}`]),
  fc.constantFrom(
    [],
    ['status', 'extra'],
    ['status', '--az', 'us-east-1a'],
    ['plan', '--reason', 'x'],
    ['failover', '--reason', 'x'],
    ['failover', '--az', 'us-east-1a', '--gateway', 'nat-0123456789abcdef0', '--reason', 'x'],
    ['release'],
    ['restore'],
    ['restore', '--az', 'us-east-1a', '--force'],
    ['failover', '--az'],
    ['status', '--json=yes'],
    ['failover', '--az', 'us-east-1a', '--reason', 'x', '--expires', '0h'],
    ['failover', '--az', 'us-east-1a', '--reason', 'x', '--expires', '99999999999999d'],
    ['failover', '--az', 'us-east-1a', '--reason', 'x', '--expires', '2020-01-01T00:00:00'],
  ),
);

describe('every refusal is one line in the one style, exit 2', () => {
  it('for generated bad and hostile command lines', async () => {
    await fc.assert(
      fc.asyncProperty(badCommandLine, async (argv) => {
        await expectRefusal(argv);
      }),
      { numRuns: 400 },
    );
  });

  it('for a bad AWS_REGION or AWS_ENDPOINT_URL in the environment, before anything is sent', async () => {
    await fc.assert(
      fc.asyncProperty(hostile.filter((v) => v !== '' && !REGION.test(v)), async (v) => {
        expect(await expectRefusal(['status'], { AWS_REGION: v })).toMatch(/^nat-failover: refused \(AWS_REGION\): /);
      }),
      { numRuns: 100 },
    );
    expect(await expectRefusal(['status'], { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'localhost:5000' })).toMatch(/^nat-failover: refused \(AWS_ENDPOINT_URL\): "localhost:5000" is not an http\(s\) URL/);
  });

  it('names the flag: --force, --reason, --az/--gateway', async () => {
    expect(await expectRefusal(['restore', '--az', 'us-east-1a', '--force'])).toBe('nat-failover: refused (--reason): is required with --force; see nat-failover --help');
    expect(await expectRefusal(['release', '--az', 'us-east-1a', '--gateway', 'nat-0123456789abcdef0'])).toBe(
      'nat-failover: refused (--gateway): give exactly one of --az or --gateway; see nat-failover --help',
    );
    expect(await expectRefusal(['status', '--vpc', 'x'])).toBe('nat-failover: refused (--vpc): expected a VPC id (vpc-…)');
    expect(await expectRefusal(['status', '--bogus'])).toBe('nat-failover: refused (--bogus): unknown option; see nat-failover --help');
    expect(await expectRefusal(['failover', '--az'])).toBe('nat-failover: refused (--az): needs a value; see nat-failover --help');
    expect(await expectRefusal(['status', '--json=yes'])).toBe('nat-failover: refused (--json): is a switch and takes no value; see nat-failover --help');
  });

  it("rewords the function's JSON field names as flags, and only its known phrases", () => {
    expect(cliWording('home gateway nat-1 is unhealthy (x); set force with a reason to restore anyway')).toBe('home gateway nat-1 is unhealthy (x); pass --force with --reason to restore anyway');
    expect(cliWording('is required when force is true')).toBe('is required with --force');
    expect(cliWording('nat-1 is in vpc-1, but tables in vpc-2 are selected too; add vpcId')).toBe('nat-1 is in vpc-1, but tables in vpc-2 are selected too; add --vpc');
    expect(cliWording('no healthy target in the force field')).toBe('no healthy target in the force field');
  });
});

describe('AWS failures in the one style', () => {
  it('missing credentials: a refusal that says dummy values are the emulator user\'s to set', () => {
    const sdk = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const e = toCliError(new CloudApiError('DescribeRouteTables', 'CredentialsProviderError', sdk.message, { cause: sdk }));
    expect(e.line).toBe(`nat-failover: refused (credentials): ${NO_CREDENTIALS}`);
    expect(e.exitCode).toBe(2);
    expect(NO_CREDENTIALS).toContain('AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test');
  });

  it('a host that does not exist or refuses: a failure naming --region or --endpoint, not "failed transiently"', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND ec2.us-nowhere-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'ec2.us-nowhere-1.amazonaws.com' });
    const viaRegion = toCliError(new TransientError('DescribeRouteTables', 'x', { cause: dns }), { region: 'us-nowhere-1' });
    expect(viaRegion.line).toMatch(/^nat-failover: failed \(--region\): cannot reach ec2\.us-nowhere-1\.amazonaws\.com \(ENOTFOUND\); is "us-nowhere-1" a region/);
    const refusedConn = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const viaEndpoint = toCliError(new TransientError('DescribeRouteTables', 'x', { cause: refusedConn }), { endpoint: 'http://127.0.0.1:1' });
    expect(viaEndpoint.line).toMatch(/^nat-failover: failed \(--endpoint\): cannot reach http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED: nothing listens there\); nothing was sent/);
    for (const e of [viaRegion, viaEndpoint]) {
      expect(e.line).toMatch(STYLE);
      expect(e.line).not.toContain('transiently');
    }
  });

  it('instants in an error read as ISO 8601 UTC whole seconds', () => {
    const e = toCliError(new CloudApiError('Invoke', 'X', 'open since 2026-11-29T19:20:56.123Z'));
    expect(e.line).toContain('open since 2026-11-29T19:20:56Z');
  });
});

describe('--help and --version', () => {
  it('--version prints package.json version and exits 0', async () => {
    const c = capture();
    expect(await main(['--version'], c.io, {})).toBe(0);
    expect(c.out).toEqual([require('../../package.json').version]);
    expect(c.err).toEqual([]);
  });
});
