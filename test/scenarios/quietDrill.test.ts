/**
 * The `quiet-large-drift` drill (issue 16, item 3: quiet scheduled runs read a slice of the route
 * tables): what the scenario's expectations cannot say on their own. The runs before the drift's
 * slice comes round are quiet (stale about it, and only about it); the drift is noticed exactly
 * when its slice is read, k - 1 runs after it; and the dead gateway's failover is the same, table
 * for table and minute for minute, as with slicing off.
 */
import { runScenario, type ScenarioResult } from '../../src/sim/runner';
import type { Scenario } from '../../src/sim/scenario';
import { findScenario } from '../../src/sim/scenarios';

const DRIFTED = ['rtb-a7', 'rtb-c13', 'rtb-c247', 'rtb-a183'];
const DRIFT_AT = 4;
const DEAD_AT = 21;

const noticedAt = (r: ScenarioResult, table: string): number | undefined =>
  r.steps.find((s) => s.findings.some((f) => f.kind === 'external-change' && f.table === table))?.minute;
const changesAt = (r: ScenarioResult, minute: number): string[] =>
  r.steps
    .filter((s) => s.minute === minute)
    .flatMap((s) => s.changes.map((c) => `${c.table} ${c.status} ${c.routes.join(' ')}`))
    .sort();

describe('quiet-large-drift: slicing on against slicing off (TABLES_READ_PER_RUN=0)', () => {
  const drill = findScenario('quiet-large-drift') as Scenario;
  let on: ScenarioResult;
  let off: ScenarioResult;
  beforeAll(async () => {
    on = await runScenario(drill);
    off = await runScenario({ ...drill, config: { ...drill.config, tablesReadPerRun: 0 } });
  });

  it('reads a slice on steady runs: quiet before the drift and until its slice comes round, k = 4 at 900 tables', () => {
    const quiet = on.steps.filter((s) => s.quiet !== undefined).map((s) => s.minute);
    // T+0 records state, T+1 is the full read remembered; T+2..T+6 are quiet.
    expect(quiet.filter((m) => m < DRIFT_AT + 3)).toStrictEqual([2, 3, 4, 5, 6]);
    for (const s of on.steps.filter((x) => x.quiet)) {
      expect(s.quiet?.rescanMinutes).toBe(4);
      expect(s.quiet?.tables).toBe(900);
      expect(s.quiet?.tablesRead).toBeLessThan(900 / 2);
    }
    expect(off.steps.some((s) => s.quiet !== undefined)).toBe(false);
  });

  it('notices the drift when its slice is read (k - 1 runs late), where slicing off notices it at once', () => {
    for (const t of DRIFTED) {
      expect({ t, at: noticedAt(off, t) }).toStrictEqual({ t, at: DRIFT_AT });
      expect({ t, at: noticedAt(on, t) }).toStrictEqual({ t, at: DRIFT_AT + 4 - 1 });
    }
  });

  it('fails the dead gateway over in the same run, with the same changes, as with slicing off; 0 violations', () => {
    // The gateway dies under a container whose last run was quiet (its memory was in use).
    expect(on.steps.find((s) => s.minute === DEAD_AT - 1)?.quiet).toBeDefined();
    expect(on.steps.find((s) => s.minute === DEAD_AT)?.quiet).toBeUndefined();
    expect(changesAt(on, DEAD_AT).length).toBe(300);
    expect(changesAt(on, DEAD_AT)).toStrictEqual(changesAt(off, DEAD_AT));
    expect(on.violations).toStrictEqual([]);
    expect(off.violations).toStrictEqual([]);
    expect(on.expectations.filter((e) => !e.ok)).toStrictEqual([]);
  });
});
