import type { HealthReport, Observation, Plan, RouteChange, TableAction } from '../core/types';

/** What one run did: the data the record stage, the notifier and the invoker's summary read. */
/**
 * `deferred`: a route change not started because the invocation's deadline was near; nothing of it
 * was written, and the run asks for a continuation (RunReport.continuation).
 */
export type ActionStatus = 'applied' | 'dry-run' | 'conflict' | 'failed' | 'deferred';

export interface ActionResult {
  readonly action: TableAction;
  readonly status: ActionStatus;
  /** Route changes that were written (a failure half-way leaves the rest to the next run). */
  readonly applied: readonly RouteChange[];
  readonly detail?: string;
}

export interface RunReport {
  readonly at: Date;
  readonly trigger: string;
  readonly dryRun: boolean;
  readonly observation: Observation;
  readonly health: HealthReport;
  readonly plan: Plan;
  readonly results: readonly ActionResult[];
  /**
   * True when route changes were left for lack of time (status `deferred`): the caller starts the
   * next run at once (the Lambda handler invokes itself) instead of waiting for the schedule.
   */
  readonly continuation?: boolean;
  /**
   * Set on a quiet scheduled run: the route tables it read (a slice; the rest were remembered from
   * this container's earlier runs). Absent: every table was read.
   */
  readonly quiet?: {
    readonly buckets: readonly number[];
    readonly rescanMinutes: number;
    readonly tablesRead: number;
    readonly tables: number;
  };
}
