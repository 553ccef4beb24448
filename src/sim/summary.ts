import { fmtDuration, median } from './measures';
import type { ScenarioResult } from './runner';

/** A plain-text table: columns padded to their widest cell. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const maxOf = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : undefined);

/** The reliability suite's summary: one line per scenario and a total. */
export function suiteSummary(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.scenario.name,
    String(r.steps.length),
    String(r.invariantChecks),
    String(r.violations.length),
    String(r.measures.routeChanges),
    fmtDuration(median(r.measures.timeToFailover)),
    fmtDuration(maxOf(r.measures.timeToFailover)),
    fmtDuration(median(r.measures.timeToRestore)),
    r.expectations.every((e) => e.ok) && r.violations.length === 0 ? 'ok' : 'FAIL',
  ]);
  const ttf = results.flatMap((r) => r.measures.timeToFailover);
  const ttr = results.flatMap((r) => r.measures.timeToRestore);
  const sum = (f: (r: ScenarioResult) => number) => String(results.reduce((a, r) => a + f(r), 0));
  rows.push([
    `${results.length} scenarios`,
    sum((r) => r.steps.length),
    sum((r) => r.invariantChecks),
    sum((r) => r.violations.length),
    sum((r) => r.measures.routeChanges),
    fmtDuration(median(ttf)),
    fmtDuration(maxOf(ttf)),
    fmtDuration(median(ttr)),
    results.every((r) => r.expectations.every((e) => e.ok) && r.violations.length === 0) ? 'ok' : 'FAIL',
  ]);
  return table(
    ['scenario', 'steps', 'invariant checks', 'violations', 'route changes', 'failover (median)', 'failover (max)', 'restore (median)', 'result'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

export interface Comparison {
  readonly ours: readonly ScenarioResult[];
  readonly peers: readonly ScenarioResult[];
}

/** Side by side: ours against the peers' rule, per measure, over every scenario. */
export function comparisonTable(c: Comparison): string {
  const tot = (rs: readonly ScenarioResult[], f: (r: ScenarioResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  const all = (rs: readonly ScenarioResult[], f: (r: ScenarioResult) => readonly number[]) => rs.flatMap(f);
  // Compared as displayed: 0.2 s and 0.3 s are both "0s", a tie.
  const row = (name: string, a: number | undefined, b: number | undefined, fmt: (x: number | undefined) => string, judged = true) => {
    const fa = fmt(a);
    const fb = fmt(b);
    const verdict = !judged ? '–' : a === undefined || b === undefined || fa === fb ? 'tie' : a < b ? 'ours' : 'peers';
    return [name, fa, fb, verdict];
  };
  const n = (x: number | undefined) => (x === undefined ? '–' : String(Math.round(x * 10) / 10));
  const ttfO = all(c.ours, (r) => r.measures.timeToFailover);
  const ttfP = all(c.peers, (r) => r.measures.timeToFailover);
  const ttrO = all(c.ours, (r) => r.measures.timeToRestore);
  const ttrP = all(c.peers, (r) => r.measures.timeToRestore);
  return table(
    ['measure (all scenarios)', 'ours', "peers' rule", 'better'],
    [
      row('route changes (for scale)', tot(c.ours, (r) => r.measures.routeChanges), tot(c.peers, (r) => r.measures.routeChanges), n, false),
      row('needless route changes', tot(c.ours, (r) => r.measures.needless), tot(c.peers, (r) => r.measures.needless), n),
      row('missed failovers', tot(c.ours, (r) => r.measures.missed), tot(c.peers, (r) => r.measures.missed), n),
      row('table-minutes on a bad gateway', tot(c.ours, (r) => r.measures.deadMinutes), tot(c.peers, (r) => r.measures.deadMinutes), n),
      row('safety-rule violations', tot(c.ours, (r) => r.violations.length), tot(c.peers, (r) => r.violations.length), n),
      row('time to failover, median', median(ttfO), median(ttfP), fmtDuration),
      row('time to failover, worst', maxOf(ttfO), maxOf(ttfP), fmtDuration),
      row('time to restore, median', median(ttrO), median(ttrP), fmtDuration),
    ],
    ['l', 'r', 'r', 'l'],
  );
}

/** Per scenario, the measures that differ: where each rule wins. */
export function comparisonByScenario(c: Comparison): string {
  const rows = c.ours.map((o, i) => {
    const p = c.peers[i] as ScenarioResult;
    const pair = (a: number, b: number) => `${a} / ${b}`;
    return [
      o.scenario.name,
      pair(o.measures.routeChanges, p.measures.routeChanges),
      pair(o.measures.needless, p.measures.needless),
      pair(o.measures.missed, p.measures.missed),
      pair(o.measures.deadMinutes, p.measures.deadMinutes),
      pair(o.violations.length, p.violations.length),
      `${fmtDuration(median(o.measures.timeToFailover))} / ${fmtDuration(median(p.measures.timeToFailover))}`,
      `${fmtDuration(median(o.measures.timeToRestore))} / ${fmtDuration(median(p.measures.timeToRestore))}`,
    ];
  });
  return table(
    ['scenario (ours / peers)', 'changes', 'needless', 'missed', 'bad-gw min', 'violations', 'failover', 'restore'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}
