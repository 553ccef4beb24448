/**
 * Game-day drills on the simulated region (no AWS account, no emulator):
 *   npm start                                  the default drill (AZ outage, recovery, restore)
 *   npm run drill -- --scenario NAME           any scenario of the library
 *   npm run drill -- --list                    the scenarios, one line each
 *   npm run drill -- --compare                 every scenario under ours and the peers' rule
 *   npm run drill -- --scenario NAME --endpoint URL   the same against moto, through the real AWS adapter
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { renderHtml } from '../src/sim/html';
import { runScenario, type ScenarioResult } from '../src/sim/runner';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../src/sim/scenarios';
import { comparisonByScenario, comparisonTable } from '../src/sim/summary';
import { renderHeader, renderTimeline, renderVerdict } from '../src/sim/timeline';

const USAGE = `usage: npm run drill -- [--scenario NAME] [--endpoint URL] [--out DIR] | --list | --compare | --help`;

class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        scenario: { type: 'string', short: 's' },
        list: { type: 'boolean' },
        compare: { type: 'boolean' },
        endpoint: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.list && (values.compare || values.scenario || values.endpoint)) throw new UsageError('--list takes no other option');
    if (values.compare && values.endpoint) throw new UsageError('--compare runs on the simulated region only; drop --endpoint');
    if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(values.endpoint)) throw new UsageError(`--endpoint "${values.endpoint}" is not an http(s) URL`);
    const name = values.scenario ?? DEFAULT_SCENARIO;
    if (!findScenario(name)) throw new UsageError(`unknown scenario "${name}" (see --list)`);
    return { ...values, scenario: name };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // parseArgs errors carry a long explanation; the first sentence is the useful part.
    throw new UsageError((e as Error).message.split('. ')[0] ?? String(e));
  }
}

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

async function drill(name: string, outDir: string): Promise<number> {
  const scenario = findScenario(name)!;
  const result = await runScenario(scenario, {
    onStep: (s) => progress(`running ${name}: T+${s.minute}m of ${scenario.minutes}m, ${s.changes.length > 0 ? `${s.changes.length} change(s)` : 'no change'}`),
  });
  progress('');
  return report(result, outDir);
}

function report(result: ScenarioResult, outDir: string): number {
  console.log(`${renderHeader(result)}\n\n${renderTimeline(result)}\n\n${renderVerdict(result)}`);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `drill-${result.scenario.name}.html`);
  writeFileSync(file, renderHtml(result));
  console.log(`\nreport: ${relative(process.cwd(), file) || file}`);
  return result.violations.length === 0 && result.expectations.every((e) => e.ok) ? 0 : 1;
}

async function compare(): Promise<number> {
  const ours: ScenarioResult[] = [];
  const peers: ScenarioResult[] = [];
  for (const [i, s] of SCENARIOS.entries()) {
    progress(`comparing ${i + 1}/${SCENARIOS.length}: ${s.name}`);
    ours.push(await runScenario(s));
    peers.push(await runScenario(s, { policy: 'baseline' }));
  }
  progress('');
  console.log(`Decision quality over ${SCENARIOS.length} scenarios: nat-failover vs the peers' rule (fail over on the first failed check, restore when it passes)\n`);
  console.log(comparisonTable({ ours, peers }));
  console.log(`\n${comparisonByScenario({ ours, peers })}`);
  return 0;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`drill: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    const w = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(w)}  ${s.summary}`);
    return 0;
  }
  if (args.compare) return compare();
  const outDir = args.out ?? 'reports';
  if (args.endpoint) {
    const { runOnEmulator } = await import('../src/sim/emulator');
    return runOnEmulator(findScenario(args.scenario)!, args.endpoint, outDir);
  }
  return drill(args.scenario, outDir);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`drill: ${(e as Error).message}`);
    process.exit(1);
  },
);
