import { withIsoSeconds } from '../core/time';
import type { StatusResult } from '../manual/actions';
import type { TableStatus } from '../manual/status';

/**
 * After a change request whose answer was lost (a timeout, a dropped connection), what the state
 * read back says happened: the tables the request selected, and one verdict. Pure: the caller
 * reads the status.
 */
export interface ChangeRequestView {
  readonly action: string;
  readonly az?: string;
  readonly gateway?: string;
  readonly vpcId?: string;
}

function selected(req: ChangeRequestView, tables: readonly TableStatus[]): TableStatus[] {
  return tables.filter(
    (t) =>
      t.state !== 'skipped' &&
      (req.vpcId === undefined || t.vpcId === req.vpcId) &&
      (req.az === undefined || t.az === req.az) &&
      (req.gateway === undefined || t.homeGateway === req.gateway),
  );
}

const describe = (t: TableStatus): string =>
  `${t.routeTableId} (${t.vpcId}, ${t.az ?? '-'}): ${t.state}, routes to ${t.currentTarget ?? '-'}` +
  (t.pin ? `; pinned away from ${t.pin.awayFrom}${t.pin.until ? ` until ${t.pin.until}` : ''} by ${t.pin.by}` : '') +
  (t.next ? `; next run: ${t.next}` : '');

const pinnedAway = (t: TableStatus, req: ChangeRequestView): boolean => t.pin !== null && (req.az === undefined || t.pin.awayFrom === req.az);

/** The verdict line, then one line per selected table. */
export function outcomeFromState(req: ChangeRequestView, status: StatusResult): string[] {
  const tables = selected(req, status.tables);
  if (tables.length === 0) return [`state at ${status.at}: no managed table matches the request; nothing to judge`].map(withIsoSeconds);
  const n = tables.length;
  let verdict: string;
  if (req.action === 'failover') {
    const pinned = tables.filter((t) => pinnedAway(t, req)).length;
    verdict =
      pinned === n
        ? `the failover was recorded: all ${n} table(s) carry the pin, and reconcile moves any route still at home on its next run. Do not send it again`
        : pinned === 0
          ? `the failover did not take effect: none of the ${n} table(s) carries a pin. Check again with nat-failover status before sending it again`
          : `the failover was recorded on ${pinned} of ${n} table(s) only; the next scheduled run does not add the missing pins: send it again once nat-failover status shows no change in progress`;
  } else if (req.action === 'release') {
    const pinned = tables.filter((t) => t.pin !== null).length;
    verdict = pinned === 0 ? `the release took effect: none of the ${n} table(s) carries a pin any more` : `the release did not take effect on ${pinned} of ${n} table(s), which still carry a pin`;
  } else {
    const away = tables.filter((t) => t.state !== 'home').length;
    verdict =
      away === 0
        ? `all ${n} table(s) are at home: the restore is done`
        : `${away} of ${n} table(s) are still away from home: the restore did not complete (or was held back); see nat-failover status before sending it again`;
  }
  return [`state at ${status.at}: ${verdict}`, ...tables.map(describe)].map(withIsoSeconds);
}
