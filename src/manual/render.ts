import { withIsoSeconds } from '../core/time';
import type { RunSummary } from '../reconcile/report';
import type { ChangeResult, ManualResult, PlanResult, StatusResult } from './actions';

/** Plain-text tables for a terminal: fixed columns, no colour, safe to paste into a ticket. */

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const dash = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : v);
const shortTime = (iso: string | null): string => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

export function renderStatus(s: StatusResult): string {
  const out: string[] = [`nat-failover status at ${shortTime(s.at)}${s.metricsJudged ? `; metrics judged ${shortTime(s.metricsJudged.start)}..${shortTime(s.metricsJudged.end)}` : '; metrics not read'}`, ''];
  if (s.tables.length === 0) {
    // Never an empty table followed by "every managed table …": nothing is watched here, say so.
    out.push(
      `no managed route tables${s.vpcId ? ` in ${s.vpcId}` : ' in this region'}: nat-failover watches nothing here. A private route table is managed when it carries the managed tag (MANAGED_TAG_KEY=MANAGED_TAG_VALUE, by default nat-failover=enabled).`,
    );
  } else {
    out.push('ROUTE TABLES');
    out.push(
      table(
      ['TABLE', 'VPC', 'AZ', 'HOME', 'TARGET', 'STATE', 'SINCE', 'WHY'],
      s.tables.map((t) => [
        t.routeTableId,
        t.vpcId,
        dash(t.az),
        dash(t.homeGateway),
        dash(t.currentTarget) + (t.next ? ` (next: ${t.next})` : ''),
        t.state + (t.pin?.until ? ` until ${shortTime(t.pin.until)}` : ''),
        shortTime(t.since),
        dash(t.why),
      ]),
      ),
    );
  }
  out.push('', 'GATEWAYS');
  out.push(
    table(
      ['GATEWAY', 'VPC', 'AZ', 'STATE', 'TYPE', 'HEALTH', 'TABLES', 'SIGNALS'],
      s.gateways.map((g) => [g.natGatewayId, g.vpcId, dash(g.az), g.state, `${g.availabilityMode}/${g.connectivity}`, g.health, String(g.tablesServed), g.signals.join('; ')]),
    ),
  );
  if (s.regionalVpcs.length > 0) {
    out.push('', 'REGIONAL NAT (no failover needed)');
    for (const r of s.regionalVpcs) out.push(`  ${r.vpcId}: ${r.natGatewayIds.join(', ')}: ${r.note}`);
  }
  if (s.tables.length > 0) out.push('', 'GATEWAY ENDPOINT AUDIT');
  if (s.tables.length === 0) {
    // No tables, no audit: "every managed table routes …" would be vacuously true.
  } else if (s.endpointAudit.flagged.length === 0) out.push('  every managed table routes S3 and DynamoDB through gateway endpoints');
  else {
    for (const f of s.endpointAudit.flagged) out.push(`  ${f.routeTableId} (${f.vpcId}): no ${f.missing.join(', ')} gateway endpoint route`);
    out.push(`  (${s.endpointAudit.note})`);
  }
  const notable = s.findings.filter((f) => f.kind !== 'info');
  if (notable.length > 0) {
    out.push('', 'FINDINGS');
    for (const f of notable) out.push(`  ${f.kind}${f.routeTableId ? ` ${f.routeTableId}` : ''}: ${f.message}`);
  }
  return out.join('\n');
}

export function renderRun(r: RunSummary): string {
  const out: string[] = [];
  if (r.changes.length === 0) out.push('no route changes');
  else {
    out.push(
      table(
        ['TABLE', 'CHANGE', 'STATUS', 'ROUTES', 'WHY'],
        r.changes.map((c) => [c.routeTableId, dash(c.transition), c.status, c.routes.map((x) => `${x.destination} ${x.from} -> ${x.to}`).join(', '), c.reasons.join('; ') + (c.detail ? ` (${c.detail})` : '')]),
      ),
    );
  }
  const notable = r.findings.filter((f) => f.kind !== 'info');
  if (notable.length > 0) {
    out.push('', 'FINDINGS');
    for (const f of notable) out.push(`  ${f.kind}${f.routeTableId ? ` ${f.routeTableId}` : ''}: ${f.message}`);
  }
  return out.join('\n');
}

export function renderPlan(p: PlanResult): string {
  return [`plan at ${shortTime(p.plan.at)} (dry run: nothing written)`, '', renderRun(p.plan)].join('\n');
}

export function renderChange(c: ChangeResult): string {
  const out = [`${c.action}${c.dryRun ? ' (dry run)' : ''} by ${c.by}: ${c.message}`];
  if (c.tables.length > 0) out.push(`tables: ${c.tables.join(', ')}`);
  if (c.pin) out.push(`pin: away from ${c.pin.awayFrom}${c.pin.target ? ` to ${c.pin.target}` : ''}${c.pin.until ? ` until ${shortTime(c.pin.until)}` : ' (no expiry)'}: ${c.pin.reason}`);
  if (c.run) out.push('', `reconcile run (${c.via}):`, renderRun(c.run));
  return out.join('\n');
}

/** A result as text for a terminal; instants in one format (ISO 8601 UTC, whole seconds). */
export function render(r: ManualResult): string {
  return withIsoSeconds(renderAny(r));
}

function renderAny(r: ManualResult): string {
  if (!r.ok) {
    const { field, code, message } = r.error;
    const detail = field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
    return `error${field ? ` in ${field}` : ''} (${code}): ${detail}`;
  }
  if (r.action === 'status') return renderStatus(r);
  if (r.action === 'plan') return renderPlan(r);
  return renderChange(r);
}
