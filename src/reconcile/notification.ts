import type { ActionResult, RunReport } from './types';
import type { Notification } from './ports';
import type { Finding } from '../core/types';

/**
 * What a run tells the pager: a subject a phone shows whole (ASCII, under 100 characters, most
 * important words first) and a body that says what moved, from where to where, and why.
 */

export const SUBJECT_MAX = 99;
const PREFIX = '[nat-failover]';
/** Findings where a safety rule held a change back: logged as warnings, counted, and notified. */
export const SAFETY: ReadonlySet<Finding['kind']> = new Set([
  'static-stability-guard',
  'no-healthy-target',
  'deferred-by-change-cap',
  'monitoring-degraded',
  // A table with no room left under EC2's 50 tags cannot record its state: a person must free tags.
  'tag-budget',
]);
/**
 * Findings a person should hear about although nothing was held back: a table found moved by
 * someone else is adopted and will be restored after the hold-down unless they pin it; a state
 * tag nobody can read (hand-edited, or a pin whose expiry is garbage) was set aside.
 */
export const NOTICE: ReadonlySet<Finding['kind']> = new Set(['external-change', 'unreadable-state']);

/** What a person can do about a notice, by kind. */
const NOTICE_HINT: Partial<Record<Finding['kind'], string>> = {
  'external-change': 'It comes home after the hold-down. To keep it where it is, pin it: nat-failover failover --az <AZ> --reason ...',
  'unreadable-state': 'The tag was read as absent and is replaced on the next write; a pin with an unreadable expiry is not applied: pin again if it is still wanted.',
};

const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

function label(r: ActionResult): string {
  if (r.status === 'conflict') return 'CONFLICT';
  if (r.status === 'failed') return 'FAILED';
  return (r.action.transition ?? 'change').toUpperCase();
}

/** The first candidate that fits, else the last one cut to size. */
function fit(candidates: readonly string[]): string {
  const clean = candidates.map(ascii);
  return clean.find((c) => c.length <= SUBJECT_MAX) ?? (clean[clean.length - 1] ?? PREFIX).slice(0, SUBJECT_MAX);
}

const v4Change = (r: ActionResult) => r.action.routes.find((c) => c.destination === '0.0.0.0/0') ?? r.action.routes[0];

function noticeSubject(notices: readonly Finding[]): string {
  const n = notices[0] as Finding;
  return fit([
    notices.length === 1 ? `${PREFIX} NOTICE ${n.kind} ${n.az ?? n.vpcId ?? ''} ${n.routeTableId ?? ''}`.trimEnd() : '',
    `${PREFIX} NOTICE ${notices.length} x ${[...new Set(notices.map((x) => x.kind))].join(', ')}`,
  ].filter(Boolean));
}

function subjectFor(changes: readonly ActionResult[], holds: readonly Finding[], notices: readonly Finding[]): string {
  const extra = holds.length > 0 ? ` +${holds.length} hold${holds.length > 1 ? 's' : ''}` : '';
  if (changes.length === 1) {
    const r = changes[0] as ActionResult;
    const c = v4Change(r);
    const move = c ? `${c.from} -> ${c.to}` : '';
    return fit([
      `${PREFIX} ${label(r)} ${r.action.homeAz} ${r.action.routeTableId} ${move}${extra}`,
      `${PREFIX} ${label(r)} ${r.action.homeAz} ${r.action.routeTableId} ${move}`,
      `${PREFIX} ${label(r)} ${r.action.homeAz} ${move}`,
      `${PREFIX} ${label(r)} ${r.action.homeAz} ${r.action.routeTableId}`,
    ]);
  }
  if (changes.length > 1) {
    const labels = [...new Set(changes.map(label))];
    const azs = [...new Set(changes.map((r) => r.action.homeAz))].sort();
    const targets = [...new Set(changes.map((r) => v4Change(r)?.to ?? '?'))].sort();
    const counts = labels.map((l) => `${changes.filter((r) => label(r) === l).length} ${l}`).join(', ');
    const one = labels.length === 1 ? labels[0] : undefined;
    return fit([
      one ? `${PREFIX} ${one} ${azs.join(',')} ${changes.length} tables -> ${targets.join(',')}${extra}` : '',
      one ? `${PREFIX} ${one} ${azs.join(',')} ${changes.length} tables${extra}` : '',
      `${PREFIX} ${counts} in ${azs.join(',')}${extra}`,
      `${PREFIX} ${counts}${extra}`,
      `${PREFIX} ${changes.length} route table changes${extra}`,
    ].filter(Boolean));
  }
  if (holds.length === 0) return noticeSubject(notices);
  const kinds = [...new Set(holds.map((h) => h.kind))];
  const h = holds[0] as Finding;
  const where = h.az ?? h.vpcId ?? '';
  return fit([
    holds.length === 1 ? `${PREFIX} HOLD ${h.kind} ${where} ${h.routeTableId ?? ''}`.trimEnd() : '',
    `${PREFIX} HOLD ${holds.length} x ${kinds.join(', ')}`,
    `${PREFIX} HOLD ${holds.length} safety holds`,
  ].filter(Boolean));
}

export function notificationFor(report: RunReport): Notification | undefined {
  // A deferred change was not written: the continuation run notifies it when it is.
  const changes = report.results.filter((r) => r.action.routes.length > 0 && r.status !== 'dry-run' && r.status !== 'deferred');
  const holds = report.dryRun ? [] : report.plan.findings.filter((f) => SAFETY.has(f.kind));
  const notices = report.dryRun ? [] : report.plan.findings.filter((f) => NOTICE.has(f.kind));
  if (changes.length === 0 && holds.length === 0 && notices.length === 0) return undefined;
  const azOf = new Map(report.observation.inventory.natGateways.map((n) => [n.id, n.az ?? 'regional']));
  const gw = (id: string) => `${id} (${azOf.get(id) ?? 'gone'})`;

  const lines: string[] = [`nat-failover run at ${report.at.toISOString()}, trigger ${report.trigger}`, ''];
  for (const r of changes) {
    const a = r.action;
    lines.push(`${label(r)} ${r.status}: ${a.routeTableId} in ${a.vpcId}, home AZ ${a.homeAz}`);
    for (const c of a.routes) {
      const done = r.applied.includes(c) ? '' : r.status === 'applied' ? '' : ' (not written)';
      lines.push(`  ${c.destination.padEnd(13)} ${gw(c.from)} -> ${gw(c.to)}${done}`);
    }
    lines.push(`  why: ${a.reasons.join('; ')}`);
    if (r.detail) lines.push(`  detail: ${r.detail}`);
    lines.push('');
  }
  for (const f of holds) {
    lines.push(`HOLD ${f.kind}${f.routeTableId ? `: ${f.routeTableId}` : ''}${f.vpcId ? ` in ${f.vpcId}` : ''}${f.az ? `, AZ ${f.az}` : ''}`);
    lines.push(`  ${f.message}`, '');
  }
  for (const f of notices) {
    lines.push(`NOTICE ${f.kind}${f.routeTableId ? `: ${f.routeTableId}` : ''}${f.vpcId ? ` in ${f.vpcId}` : ''}${f.az ? `, AZ ${f.az}` : ''}`);
    lines.push(`  ${f.message}`);
    const hint = NOTICE_HINT[f.kind];
    lines.push(...(hint ? [`  ${hint}`] : []), '');
  }
  if (changes.some((r) => r.status === 'applied' || r.applied.length > 0)) {
    lines.push(
      'After a move: connections through the old gateway are reset; egress uses the new gateway\'s',
      'Elastic IPs (allow-list every gateway\'s); cross-AZ data charges apply while away from home.',
    );
  }
  return { subject: subjectFor(changes, holds, notices), message: lines.join('\n').trimEnd() };
}
