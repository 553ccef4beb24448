import { lambdaProbeRunner, probeConfigFromEnv } from '../src/lambda/probeWiring';

const run = lambdaProbeRunner(probeConfigFromEnv());

/**
 * The scheduled data-plane probe (one function per probe subnet / AZ): one round when healthy,
 * confirmation rounds only after a failed one; the verdict goes out as metrics (EMF) and, when
 * failed, to reconcile by asynchronous invoke. Deployed only with `--param probeSubnets=…`.
 */
export const handler = async (): Promise<unknown> => run();
