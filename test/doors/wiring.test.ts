/** Issue 10 item 9: the front doors build their dependencies in one place, pushed signals included. */
import { DEFAULTS } from '../../src/config';
import { PushedSignals } from '../../src/events/signals';
import { manualDeps } from '../../src/lambda/manualWiring';
import { cliDeps, lambdaDeps } from '../../src/lambda/wiring';
import { silentRecorder } from '../../src/reconcile/ports';

const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

describe.each([
  ['reconcile and manual functions (lambdaDeps)', (c: typeof DEFAULTS) => lambdaDeps(c, {})()],
  ['CLI status, plan and --direct (cliDeps)', (c: typeof DEFAULTS) => cliDeps(c, {}, silentRecorder)],
  ['CLI --direct manual dependencies', (c: typeof DEFAULTS) => manualDeps(cliDeps(c, {}, silentRecorder), c, {}, true)],
])('%s', (_door, build) => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  });

  it.each([
    ['managed', true],
    ['off', false],
  ] as const)('ALARMS=%s: reads evacuation memory, and alarm states when managed', (alarms, watches) => {
    const deps = build({ ...DEFAULTS, alarms });
    expect(deps.signals).toBeInstanceOf(PushedSignals);
    expect(deps.signals?.watchesMetrics).toBe(watches);
  });
});
