/**
 * The CLI's AWS side: loaded by main.ts only once a command line has been accepted, so `--help`,
 * `--version` and refusals never load the AWS SDK (the bundle initialises this module lazily).
 */
import { InvokeOutcomeUnknownError, mutatingInvoker } from '../aws/lambda';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { CloudApiError, isRetryable, unreachableCode } from '../errors';
import { handleManual, type ManualResult, type StatusResult } from '../manual/actions';
import { render } from '../manual/render';
import { MUTATING } from '../manual/request';
import { manualDeps } from '../lambda/manualWiring';
import { cliDeps } from '../lambda/wiring';
import { silentRecorder } from '../reconcile/ports';
import type { RetryOptions } from '../retry';
import type { Cli } from './args';
import { CliError, failed, refusedField, type Target, toCliError } from './failure';
import type { Io } from './io';
import { type ChangeRequestView, outcomeFromState } from './outcome';

/**
 * Reads may retry throttles and transient faults, but not a host that does not exist or refuses
 * connections: at a terminal that is a mistyped region or endpoint, and retrying it eight times
 * only delays the one clear error (the functions keep retrying it: src/aws/errors.ts).
 */
export const CLI_READ_RETRY: RetryOptions = { retryable: (e) => isRetryable(e) && unreachableCode(e) === undefined };

function directDeps(cli: Cli, env: NodeJS.ProcessEnv) {
  // The stack names its managed alarms `nat-failover-<stage>-gw-…` (serverless.yml ALARM_PREFIX):
  // read the same ones, or status and --direct would judge gateways without their alarms.
  const config = loadConfig({ ALARM_PREFIX: `nat-failover-${cli.stage}`, ...env });
  // The same dependencies as the functions (pushed signals included): see controllerDeps.
  return { config, deps: manualDeps(cliDeps(config, env, silentRecorder, CLI_READ_RETRY), config, env, true, CLI_READ_RETRY) };
}

async function send(cli: Cli, env: NodeJS.ProcessEnv): Promise<ManualResult> {
  if (MUTATING.has(cli.command as never) && !cli.direct) {
    return (await mutatingInvoker(cli.functionName, systemClock)(cli.request)) as ManualResult;
  }
  // Read-only commands, and the break-glass path: this process, the operator's credentials.
  const { config, deps } = directDeps(cli, env);
  return handleManual(deps, config, cli.request);
}

/** A change whose answer was lost: say so, never resend it, and read back what happened. */
async function unknownOutcome(cli: Cli, env: NodeJS.ProcessEnv, io: Io, e: InvokeOutcomeUnknownError, target: Target): Promise<number> {
  const req = cli.request as unknown as ChangeRequestView & { dryRun?: boolean };
  if (req.dryRun) {
    const err = failed('Invoke', `${e.message}; a dry run changes nothing: send it again`);
    io.err(err.line);
    return err.exitCode;
  }
  const line = new CliError('unknown outcome', 'Invoke', `${e.message}. Not sent again: a second ${req.action} could run while the first still does. Reading the state back`);
  io.err(line.line);
  let status: ManualResult;
  try {
    const { config, deps } = directDeps(cli, env);
    status = await handleManual(deps, config, { action: 'status', ...(req.vpcId ? { vpcId: req.vpcId } : {}) });
  } catch (read) {
    status = { ok: false, action: 'status', error: { code: 'internal', field: null, message: toCliError(read, target).detail } };
  }
  if (!status.ok) {
    io.err(`  the state could not be read either (${status.cause !== undefined ? toCliError(status.cause, target).detail : status.error.message}): run nat-failover status before sending it again`);
  } else {
    for (const l of outcomeFromState(req, status as StatusResult)) io.err(`  ${l}`);
  }
  return line.exitCode;
}

/** Runs an accepted command line: prints the result, returns the exit code, throws a CliError. */
export async function execute(cli: Cli, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const target: Target = { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION, endpoint: env.AWS_ENDPOINT_URL };
  let result: ManualResult;
  try {
    result = await send(cli, env);
  } catch (e) {
    if (e instanceof InvokeOutcomeUnknownError) return unknownOutcome(cli, env, io, e, target);
    if (e instanceof CloudApiError && e.operation === 'Invoke' && e.code === 'ResourceNotFoundException') {
      throw failed('--function-name', `${cli.functionName} does not exist in this region, so nothing was sent. Is the stack deployed for --stage ${cli.stage} here? Name it with --function-name, or act with your own credentials with --direct`);
    }
    throw toCliError(e, target);
  }
  if (cli.json) io.out(JSON.stringify(result, null, 2));
  else if (result.ok) io.out(render(result));
  if (result.ok) return 0;
  const err = failureOf(result, target);
  if (!cli.json) io.err(err.line);
  return err.exitCode;
}

/** A structured failure (from the function or in process) in the CLI's one style. */
function failureOf(result: Extract<ManualResult, { ok: false }>, target: Target): CliError {
  const { code, field, message } = result.error;
  if (code === 'invalid-request') return refusedField(field, field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);
  const recorded = result.recorded ? ` (intent already recorded on ${result.recorded.join(', ')}: the next scheduled run applies it)` : '';
  if (result.cause !== undefined) {
    const err = toCliError(result.cause, target);
    return recorded === '' ? err : new CliError(err.kind, err.subject, `${err.detail}${recorded}`);
  }
  return failed(code === 'busy' ? 'reconcile' : (result.action ?? 'request'), message);
}
