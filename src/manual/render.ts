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
      ['GATEWAY', 'VPC', 'AZ', 'STATE', 'TYPE', 'HEALTH', 'TABLES', 'IPS', 'HEADROOM', 'SIGNALS'],
      s.gateways.map((g) => [
        g.natGatewayId,
        g.vpcId,
        dash(g.az),
        g.state,
        `${g.availabilityMode}/${g.connectivity}`,
        g.health,
        String(g.tablesServed),
        g.headroom.ips === null ? '?' : String(g.headroom.ips.length),
        headroomCell(g.headroom),
        g.signals.join('; '),
      ]),
    ),
  );
  const egress = s.tables.filter((t) => t.egress !== null && t.egress.length > 0);
  if (egress.length > 0) {
    out.push('', 'EGRESS IPS (home and every gateway each table may fail over to: allow-list them all)');
    out.push(
      table(
        ['TABLE', 'GATEWAY', 'ROLE', 'IPS'],
        egress.flatMap((t) => (t.egress ?? []).map((e) => [t.routeTableId, e.natGatewayId, e.role, e.ips === null ? 'not observed' : e.ips.join(', ') || 'none'])),
      ),
    );
  }
  if (s.probes) out.push('', 'PROBES (data path through each AZ\'s home gateway)');
  if (!s.probes) {
    // An older manual function's result: nothing said about probes.
  } else if (!s.probes.configured) out.push('  not configured (PROBES=off): restores rest on the hold-down alone and are unproven');
  else if (s.probes.zones.length === 0) out.push('  no probed AZ in scope');
  else {
    out.push(
      table(
        ['VPC', 'AZ', 'VERDICT', 'LAST', 'AT', 'ROUNDS FAILED', 'PROVEN SINCE'],
        s.probes.zones.map((z) => [
          z.vpcId,
          z.az,
          z.verdict + (z.verdict === 'bad' ? (z.counts ? ' (counts)' : ' (set aside: guard)') : ''),
          z.lastVerdict ? `${z.lastVerdict} (${z.lastSource})` : 'no data',
          shortTime(z.lastAt),
          `${z.roundsFailed} of ${z.roundsCounted}`,
          shortTime(z.provenSince),
        ]),
      ),
    );
  }
  const away = s.tables.filter((t) => typeof t.restoreProof === 'string');
  if (away.length > 0) {
    out.push('', 'RESTORE PROOF (tables away from home)');
    for (const t of away) out.push(`  ${t.routeTableId} (${dash(t.az)}): ${t.restoreProof}`);
  }
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

/** `ok 12,000/110,000`, `short 50,000/55,000`, `port-errors (7)`, `unknown`. */
function headroomCell(h: StatusResult['gateways'][number]['headroom']): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const conns = h.activeConnections !== null && h.limit !== null ? ` ${n(h.activeConnections)}/${n(h.limit)}` : '';
  if (h.verdict === 'port-errors') return `port-errors (${n(h.portAllocationErrors ?? 0)})${conns}`;
  return `${h.verdict}${conns}`;
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
