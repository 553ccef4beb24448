import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
  type MetricDataQuery,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmSpec, ExistingAlarm } from '../events/alarmSpecs';
import type { Retrier } from '../retry';
import type { AlarmStore } from '../events/signals';
import { chunk } from './ec2';
import { call } from './errors';
import { clientConfig } from './clientConfig';

/** DeleteAlarms takes at most 100 names; DescribeAlarms returns at most 100 a page. */
export const DELETE_NAMES_MAX = 100;
export const DESCRIBE_PAGE_MAX = 100;

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

export function toPutMetricAlarm(spec: AlarmSpec): PutMetricAlarmCommandInput {
  const Metrics: MetricDataQuery[] = spec.metrics.map((m) =>
    m.expression !== undefined
      ? { Id: m.id, Expression: m.expression, Label: m.label, ReturnData: m.returnData }
      : {
          Id: m.id,
          MetricStat: {
            Metric: { Namespace: spec.namespace, MetricName: m.metricName, Dimensions: [{ Name: 'NatGatewayId', Value: spec.natGatewayId }] },
            Period: spec.period,
            Stat: 'Sum',
          },
          ReturnData: m.returnData,
        },
  );
  return {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    Metrics,
    ComparisonOperator: spec.comparison,
    Threshold: spec.threshold,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    TreatMissingData: spec.treatMissingData,
  };
}

function toExisting(a: MetricAlarm): ExistingAlarm | undefined {
  const state = STATES.find((s) => s === a.StateValue);
  if (!a.AlarmName || !state) return undefined;
  return { name: a.AlarmName, description: a.AlarmDescription ?? '', state, stateSince: a.StateUpdatedTimestamp };
}

/**
 * The controller's own CloudWatch alarms: one paginated DescribeAlarms by name prefix a run, and
 * PutMetricAlarm / DeleteAlarms only when they drift from the configuration. The prefix it is given
 * is the gateway namespace (`<ALARM_PREFIX>-gw`), so the stack's own `<ALARM_PREFIX>-reconcile-*`
 * alarms are not even listed; which listed alarms may be deleted is decided in diffAlarms.
 */
export class CloudWatchAlarms implements AlarmStore {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly retry: Retrier,
  ) {}

  private send<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.retry.run(operation, () => call(operation, fn));
  }

  async list(prefix: string): Promise<ExistingAlarm[]> {
    const out: ExistingAlarm[] = [];
    let token: string | undefined;
    do {
      const page = await this.send('DescribeAlarms', () =>
        this.client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-`, AlarmTypes: ['MetricAlarm'], MaxRecords: DESCRIBE_PAGE_MAX, NextToken: token })),
      );
      for (const a of page.MetricAlarms ?? []) {
        const e = toExisting(a);
        if (e) out.push(e);
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  async put(spec: AlarmSpec): Promise<void> {
    await this.send('PutMetricAlarm', () => this.client.send(new PutMetricAlarmCommand(toPutMetricAlarm(spec))));
  }

  async remove(names: readonly string[]): Promise<void> {
    for (const batch of chunk(names, DELETE_NAMES_MAX)) {
      await this.send('DeleteAlarms', () => this.client.send(new DeleteAlarmsCommand({ AlarmNames: batch })));
    }
  }
}

/** Production store: region, endpoint and credentials from the standard SDK environment. */
export function cloudWatchAlarms(retry: Retrier): CloudWatchAlarms {
  return new CloudWatchAlarms(new CloudWatchClient(clientConfig()), retry);
}
