import { userInfo } from 'node:os';
import { manualFunctionInvoker } from '../aws/lambda';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { ConfigError, oneLine } from '../errors';
import { handleManual, type ManualResult } from '../manual/actions';
import { render } from '../manual/render';
import { MUTATING, parseRequest, RequestError } from '../manual/request';
import { manualDeps } from '../lambda/manualWiring';
import { cliDeps } from '../lambda/wiring';
import { silentRecorder } from '../reconcile/ports';
import { type Cli, parseCli, USAGE, UsageError } from './args';
import { doctorMain } from './doctor';
import { seedMain } from './seed';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Exit codes: 0 done, 1 the action failed, 2 the command line or request was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function operator(): string {
  try {
    return `${userInfo().username}@cli`;
  } catch {
    return 'cli';
  }
}

const FLAG_OF: Readonly<Record<string, string>> = { vpcId: '--vpc', expiresAt: '--expires', dryRun: '--dry-run' };
/** The request field as the operator typed it. */
const flagOf = (field: string): string => FLAG_OF[field] ?? (/^[a-z]+$/.test(field) ? `--${field}` : field);

/** Flags become the standard SDK environment, so the SDK's own resolution does the rest. */
export function applyAwsEnv(aws: Cli['aws'], env: NodeJS.ProcessEnv): void {
  if (aws.region) {
    env.AWS_REGION = aws.region;
    env.AWS_DEFAULT_REGION = aws.region;
  }
  if (aws.profile) env.AWS_PROFILE = aws.profile;
  if (aws.endpoint) env.AWS_ENDPOINT_URL = aws.endpoint;
}

async function execute(cli: Cli, env: NodeJS.ProcessEnv): Promise<ManualResult> {
  const mutating = MUTATING.has(cli.command as never);
  if (mutating && !cli.direct) {
    return (await manualFunctionInvoker(cli.functionName, systemClock)(cli.request)) as ManualResult;
  }
  // Read-only commands, and the break-glass path: this process, the operator's credentials.
  // The stack names its managed alarms `nat-failover-<stage>-gw-…` (serverless.yml ALARM_PREFIX):
  // read the same ones, or status and --direct would judge gateways without their alarms.
  const config = loadConfig({ ALARM_PREFIX: `nat-failover-${cli.stage}`, ...env });
  // The same dependencies as the functions (pushed signals included): see controllerDeps.
  return handleManual(manualDeps(cliDeps(config, env, silentRecorder), config, env, true), config, cli.request);
}

export async function main(argv: readonly string[], io: Io = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // doctor and seed parse their own flags (cli/doctor.ts, cli/seed.ts).
  if (argv[0] === 'doctor') return doctorMain(argv.slice(1), io, env, applyAwsEnv);
  if (argv[0] === 'seed') return seedMain(argv.slice(1), io, env);
  let cli: Cli;
  try {
    cli = parseCli(argv, new Date(), operator());
    if (cli.command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    // Shape errors need no network: say so before touching AWS.
    parseRequest(cli.request);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RequestError) {
      io.err(`nat-failover: ${e instanceof RequestError ? `${flagOf(e.field)}: ${e.detail}` : e.message}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    throw e;
  }
  applyAwsEnv(cli.aws, env);
  let result: ManualResult;
  try {
    result = await execute(cli, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`nat-failover: configuration: ${e.message}`);
      return EXIT.usage;
    }
    io.err(`nat-failover: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    return EXIT.failed;
  }
  if (cli.json) io.out(JSON.stringify(result, null, 2));
  else io[result.ok ? 'out' : 'err'](render(result));
  if (result.ok) return EXIT.ok;
  return result.error.code === 'invalid-request' ? EXIT.usage : EXIT.failed;
}

/** Entry point for bin/nat-failover.js. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`nat-failover: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
