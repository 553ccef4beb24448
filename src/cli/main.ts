/**
 * `nat-failover`: the CLI's front door. Parses and checks the command line without loading the
 * AWS SDK (`--help`, `--version` and every refusal answer at once); execute.ts does the rest.
 */
import { userInfo } from 'node:os';
import { checkEndpoint, checkRegion, parseCli, USAGE } from './args';
import { EXIT, toCliError } from './failure';
import { type Io, stdio } from './io';
import { VERSION } from './version';

export type { Io } from './io';
export { EXIT } from './failure';

/**
 * A command of its own (not one of the manual actions): gets the arguments after its name and
 * returns the exit code. Refusals are thrown as CliError (failure.ts: `refused(subject, why)`) or
 * UsageError (args.ts), so they print in the CLI's one style; other errors are worded by toCliError.
 */
export type CommandRunner = (argv: readonly string[], io: Io, env: NodeJS.ProcessEnv) => Promise<number>;

/**
 * Commands beyond the manual actions, by name. Loaded on use (dynamic import), so the bundle
 * initialises a command's modules only when it runs. Register one per line, e.g.
 *   doctor: () => import('./doctor').then((m) => m.doctor),
 */
export const COMMANDS: Readonly<Record<string, () => Promise<CommandRunner>>> = {
  // doctor and seed parse their own flags (cli/doctor.ts, cli/seed.ts).
  doctor: () => import('./doctor').then((m): CommandRunner => (argv, io, env) => m.doctorMain(argv, io, env, applyAwsEnv)),
  seed: () => import('./seed').then((m): CommandRunner => (argv, io, env) => m.seedMain(argv, io, env)),
};

function operator(): string {
  try {
    return `${userInfo().username}@cli`;
  } catch {
    return 'cli';
  }
}

/** Flags become the standard SDK environment, so the SDK's own resolution does the rest. */
export function applyAwsEnv(aws: { readonly region?: string; readonly profile?: string; readonly endpoint?: string }, env: NodeJS.ProcessEnv): void {
  if (aws.region) {
    env.AWS_REGION = aws.region;
    env.AWS_DEFAULT_REGION = aws.region;
  }
  if (aws.profile) env.AWS_PROFILE = aws.profile;
  if (aws.endpoint) env.AWS_ENDPOINT_URL = aws.endpoint;
}

/** The region and endpoint the SDK will use, checked before anything is sent. */
function checkAwsEnv(env: NodeJS.ProcessEnv): void {
  if (env.AWS_REGION) checkRegion(env.AWS_REGION, 'AWS_REGION');
  if (env.AWS_DEFAULT_REGION) checkRegion(env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION');
  if (env.AWS_ENDPOINT_URL) checkEndpoint(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
}

async function dispatch(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const own = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  if (own) return (await own())(argv.slice(1), io, env);
  const cli = parseCli(argv, new Date(), operator());
  if (cli.command === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (cli.command === 'version') {
    io.out(VERSION);
    return EXIT.ok;
  }
  // Shape errors need no network: say so before touching AWS. (zod loads here, not for --help.)
  const { parseRequest } = await import('../manual/request');
  parseRequest(cli.request);
  applyAwsEnv(cli.aws, env);
  checkAwsEnv(env);
  const { execute } = await import('./execute');
  return execute(cli, io, env);
}

/** Runs one command line; never throws: every error is one line in the style of failure.ts. */
export async function main(argv: readonly string[], io: Io = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await dispatch(argv, io, env);
  } catch (e) {
    const err = toCliError(e, { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION, endpoint: env.AWS_ENDPOINT_URL });
    io.err(err.line);
    return err.exitCode;
  }
}

/** Entry point for bin/nat-failover.js. */
export function run(argv: readonly string[]): void {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
