import { fmtDuration, median } from './measures';
import type { ScenarioResult, StepRecord } from './runner';

const clock = (minute: number) => `T+${String(minute).padStart(2, '0')}m`;

/** Lanes of the timeline: the managed tables, then the untouched ones as a visible control. */
export function lanes(r: ScenarioResult): string[] {
  const managed = r.managedTables;
  const others = Object.keys(r.steps[0]?.targets ?? {}).filter((t) => !managed.includes(t));
  return [...managed, ...others];
}

function routesLine(r: ScenarioResult, s: StepRecord, prev: StepRecord | undefined): string {
  return lanes(r)
    .filter((t) => r.managedTables.includes(t))
    .map((t) => {
      const now = s.targets[t] ?? '-';
      const moved = prev && prev.targets[t] !== now ? '*' : '';
      const away = s.homes[t] !== undefined && now !== s.homes[t] ? ' (away)' : '';
      return `${t}=${now}${moved}${away}`;
    })
    .join('  ');
}

/**
 * The drill's timeline as text: only the minutes where something happened, each with the fault,
 * what the controller saw, what it decided and why, and where every managed table points.
 */
export function renderTimeline(r: ScenarioResult): string {
  const out: string[] = [];
  let prevSignals = '';
  let prevFindings = '';
  let quietFrom: number | undefined;
  let prev: StepRecord | undefined;
  const flushQuiet = (until: number) => {
    if (quietFrom !== undefined && until > quietFrom) out.push(`${clock(quietFrom)}${until - 1 > quietFrom ? `..${clock(until - 1)}` : ''}  (no change)`);
    quietFrom = undefined;
  };
  for (const s of r.steps) {
    const lines: string[] = [];
    for (const e of s.events) lines.push(`FAULT    ${e}`);
    const signals = s.signals.join('\n');
    if (signals !== prevSignals) {
      if (s.signals.length === 0) lines.push('SIGNAL   all clear');
      for (const x of s.signals) lines.push(`SIGNAL   ${x}`);
      prevSignals = signals;
    }
    if (s.outcome === 'crashed' || s.outcome === 'error' || s.outcome === 'skipped') lines.push(`RUN      ${s.outcome}: ${s.error ?? ''}`);
    for (const c of s.changes) {
      lines.push(`${(c.transition ?? 'change').toUpperCase().padEnd(8)} ${c.table} ${c.routes.join(', ')} [${c.status}]`);
      lines.push(`         why: ${c.reasons.join('; ')}${c.detail ? ` (${c.detail})` : ''}`);
    }
    const notable = s.findings.filter((f) => f.kind !== 'hold-down' || s.minute === r.steps.length - 1);
    const holds = s.findings.filter((f) => f.kind === 'hold-down');
    const findingKey = [...notable.map((f) => `${f.kind}|${f.table}|${f.message}`), holds.length > 0 ? 'hold' : ''].join('\n');
    if (findingKey !== prevFindings) {
      for (const f of notable) lines.push(`HOLD     ${f.kind}${f.table ? ` ${f.table}` : ''}: ${f.message}`);
      if (holds.length > 0 && !prevFindings.endsWith('hold')) lines.push(`HOLD     hold-down: ${holds[0]?.message}${holds.length > 1 ? ` (+${holds.length - 1} more table${holds.length > 2 ? 's' : ''})` : ''}`);
      prevFindings = findingKey;
    }
    for (const v of s.violations) lines.push(`VIOLATION ${v.invariant}: ${v.message}`);
    if (lines.length === 0 && s.minute !== 0 && s.minute !== r.steps.length - 1) {
      quietFrom ??= s.minute;
      prev = s;
      continue;
    }
    flushQuiet(s.minute);
    out.push(`${clock(s.minute)}  ${lines[0] ?? 'no change'}`);
    for (const l of lines.slice(1)) out.push(`        ${l}`);
    out.push(`        ROUTES   ${routesLine(r, s, prev)}`);
    prev = s;
  }
  return out.join('\n');
}

export function renderHeader(r: ScenarioResult): string {
  const s = r.scenario;
  return [`Drill "${s.name}" (${r.policy === 'ours' ? 'nat-failover' : "peers' rule"}): ${s.summary}`, `Virtual start ${r.start.toISOString()}, ${s.minutes} minutes, one controller run per minute.`].join('\n');
}

export function renderVerdict(r: ScenarioResult): string {
  const m = r.measures;
  const lines = [
    ...r.expectations.map((e) => `${e.ok ? 'PASS' : 'FAIL'}  ${e.text} (${e.detail})`),
    r.invariantChecks === 0
      ? 'n/a   safety invariants: checked on the simulated region only (they need its ground truth)'
      : `${r.violations.length === 0 ? 'PASS' : 'FAIL'}  safety invariants: ${r.invariantChecks} checks, ${r.violations.length} violation(s)`,
    `route changes ${m.routeChanges} (needless ${m.needless}), missed failovers ${m.missed}, table-minutes on a bad gateway ${m.deadMinutes}`,
    `time to failover ${fmtDuration(median(m.timeToFailover))}, time to restore ${fmtDuration(median(m.timeToRestore))}; API calls ${r.stats.calls} (${r.stats.retries} retries), ${r.notifications} notification(s)`,
  ];
  return lines.join('\n');
}
