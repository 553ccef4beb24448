import { ProbeVerdictUndelivered } from '../src/probe/probe';
import { lambdaProbeRunner, probeConfigFromEnv } from '../src/lambda/probeWiring';

const run = lambdaProbeRunner(probeConfigFromEnv());

/**
 * The scheduled data-plane probe (one function per probe subnet / AZ): one round when healthy,
 * confirmation rounds only after a failed one; the verdict goes out as metrics (EMF) and, when
 * failed, to reconcile by asynchronous invoke. When that invoke fails (it leaves through the home
 * NAT gateway the probe may just have found broken), the invocation fails with the verdict, and
 * Lambda delivers it to reconcile as the function's OnFailure destination. Deployed only with
 * `--param probeSubnets=…`.
 */
export const handler = async (): Promise<unknown> => {
  const { undelivered, ...summary } = await run();
  if (undelivered) throw new ProbeVerdictUndelivered(undelivered);
  return summary;
};
