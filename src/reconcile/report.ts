import type { RunReport } from './types';

/** The JSON a run returns to its invoker: what moved, what was held, and why. Dates as ISO. */
export function summarizeRun(r: RunReport) {
  return {
    at: r.at.toISOString(),
    trigger: r.trigger,
    dryRun: r.dryRun,
    // A quiet scheduled run read a slice of the route tables and remembered the rest (how-it-decides.md).
    routeTablesRead: r.quiet ? { read: r.quiet.tablesRead, of: r.quiet.tables, rescanMinutes: r.quiet.rescanMinutes } : ('all' as const),
    metricsJudged: r.health.periodsJudged
      ? { start: r.health.periodsJudged.start.toISOString(), end: r.health.periodsJudged.end.toISOString() }
      : null,
    tables: r.plan.tables.map((t) => ({
      routeTableId: t.routeTableId,
      vpcId: t.vpcId,
      homeAz: t.homeAz ?? null,
      homeNat: t.homeNat ?? null,
      target: t.desiredTarget ?? t.currentTarget ?? null,
      mode: t.mode,
      since: t.since?.toISOString() ?? null,
      reason: t.reason ?? null,
    })),
    changes: r.results
      .filter((x) => x.action.routes.length > 0)
      .map((x) => ({
        routeTableId: x.action.routeTableId,
        transition: x.action.transition ?? null,
        status: x.status,
        routes: x.action.routes.map((c) => ({ destination: c.destination, from: c.from, to: c.to })),
        reasons: x.action.reasons,
        detail: x.detail ?? null,
      })),
    findings: r.plan.findings.map((f) => ({ kind: f.kind, routeTableId: f.routeTableId ?? null, vpcId: f.vpcId ?? null, az: f.az ?? null, message: f.message })),
  };
}
export type RunSummary = ReturnType<typeof summarizeRun>;
