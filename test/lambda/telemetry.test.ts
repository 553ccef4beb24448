/**
 * Per-stage telemetry: the stack names the service per stage (serverless.yml sets
 * POWERTOOLS_SERVICE_NAME=<service>-<stage>); Powertools constructor options would override that
 * variable, so telemetry.ts must read it. Two stages in one account then publish apart.
 */
type Telemetry = typeof import('../../src/lambda/telemetry');

function load(env: Record<string, string | undefined>): Telemetry {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    let t: Telemetry | undefined;
    jest.isolateModules(() => {
      t = require('../../src/lambda/telemetry');
    });
    return t!;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Everything Powertools writes (EMF documents and log lines) while `fn` runs. */
function output(fn: () => void): string[] {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((s) =>
    jest.spyOn(s, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }),
  );
  try {
    fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines;
}

const ENV = { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_DEV: undefined, POWERTOOLS_METRICS_DISABLED: 'false' };

describe('telemetry per stage', () => {
  it('publishes under the stage\'s service name and namespace from the environment', () => {
    const staging = load({ ...ENV, POWERTOOLS_SERVICE_NAME: 'nat-failover-staging', POWERTOOLS_METRICS_NAMESPACE: 'NatFailover' });
    const prod = load({ ...ENV, POWERTOOLS_SERVICE_NAME: 'nat-failover-prod', POWERTOOLS_METRICS_NAMESPACE: 'NatFailover' });
    const emf = (t: Telemetry) =>
      output(() => {
        t.powertoolsRecorder().count('Failovers', 2);
        t.metrics.publishStoredMetrics();
      }).map((l) => JSON.parse(l));
    const [s] = emf(staging);
    const [p] = emf(prod);
    expect(s).toMatchObject({ service: 'nat-failover-staging', Failovers: 2 });
    expect(p).toMatchObject({ service: 'nat-failover-prod', Failovers: 2 });
    expect(s._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'NatFailover', Dimensions: [['service']] });
  });

  it('names its log lines after the stage too', () => {
    const t = load({ ...ENV, POWERTOOLS_SERVICE_NAME: 'nat-failover-staging' });
    const [line] = output(() => t.logger.info('hello'));
    expect(JSON.parse(line!)).toMatchObject({ service: 'nat-failover-staging', message: 'hello' });
  });

  it('falls back to nat-failover / NatFailover outside the stack', () => {
    const t = load({ ...ENV, POWERTOOLS_SERVICE_NAME: undefined, POWERTOOLS_METRICS_NAMESPACE: undefined });
    const [doc] = output(() => {
      t.powertoolsRecorder().count('Restores', 1);
      t.metrics.publishStoredMetrics();
    }).map((l) => JSON.parse(l));
    expect(doc).toMatchObject({ service: 'nat-failover', Restores: 1 });
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('NatFailover');
  });

  it('a run with nothing to publish writes nothing (no per-run warning about empty metrics)', () => {
    const t = load({ ...ENV, POWERTOOLS_SERVICE_NAME: 'nat-failover-staging' });
    expect(output(() => t.metrics.publishStoredMetrics())).toStrictEqual([]);
  });
});
