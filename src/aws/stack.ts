/**
 * Reads the deployed stack for `nat-failover doctor`: its functions (Lambda GetFunction), the
 * EventBridge rules that target reconcile (ListRuleNamesByTarget, DescribeRule), its alarms
 * (CloudWatch DescribeAlarms) and the account's unreserved concurrency (Lambda
 * GetAccountSettings). Read-only; each failure becomes a "not checked" fact, never a guess.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetAccountSettingsCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { oneLine } from '../errors';
import type { AlarmFact, FunctionFact, Read, RuleFact, StackFacts } from '../manual/doctor';
import { clientConfig } from './clientConfig';

const errorText = (e: unknown): string => {
  const err = e as { name?: string; message?: string };
  // The first line only: SDK deserialization errors append a multi-line hint.
  return oneLine(`${err?.name ?? 'Error'}: ${(err?.message ?? String(e)).split('\n')[0]}`, 300);
};

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

const isNotFound = (e: unknown): boolean => (e as { name?: string })?.name === 'ResourceNotFoundException';

export interface StackClients {
  readonly lambda: LambdaClient;
  readonly events: EventBridgeClient;
  readonly cloudwatch: CloudWatchClient;
}

export class StackReader {
  constructor(private readonly c: StackClients) {}

  static fromEnvironment(): StackReader {
    return new StackReader({
      lambda: new LambdaClient(clientConfig()),
      events: new EventBridgeClient(clientConfig()),
      cloudwatch: new CloudWatchClient(clientConfig()),
    });
  }

  destroy(): void {
    this.c.lambda.destroy();
    this.c.events.destroy();
    this.c.cloudwatch.destroy();
  }

  private async fn(name: string): Promise<{ fact: FunctionFact; arn?: string }> {
    try {
      const r = await this.c.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      return {
        fact: { name, found: true, state: r.Configuration?.State, reservedConcurrency: r.Concurrency?.ReservedConcurrentExecutions },
        arn: r.Configuration?.FunctionArn,
      };
    } catch (e) {
      if (isNotFound(e)) return { fact: { name, found: false } };
      throw e;
    }
  }

  private async rules(targetArn: string): Promise<RuleFact[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.c.events.send(new ListRuleNamesByTargetCommand({ TargetArn: targetArn, ...(token ? { NextToken: token } : {}) }));
      names.push(...(page.RuleNames ?? []));
      token = page.NextToken;
    } while (token);
    const out: RuleFact[] = [];
    for (const name of names.sort()) {
      const r = await this.c.events.send(new DescribeRuleCommand({ Name: name }));
      out.push({ name, state: r.State ?? 'UNKNOWN', ...(r.ScheduleExpression ? { scheduleExpression: r.ScheduleExpression } : {}) });
    }
    return out;
  }

  private async alarms(names: readonly string[]): Promise<AlarmFact[]> {
    const r = await this.c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'] }));
    return names.map((name) => {
      const a = r.MetricAlarms?.find((x) => x.AlarmName === name);
      return a ? { name, found: true, actionsEnabled: a.ActionsEnabled } : { name, found: false };
    });
  }

  /** The stack named by serverless.yml: nat-failover-<stage>-{reconcile,manual} and its two alarms. */
  async stack(stage: string): Promise<Read<StackFacts>> {
    const prefix = `nat-failover-${stage}`;
    return read(async () => {
      const [reconcile, manual] = await Promise.all([this.fn(`${prefix}-reconcile`), this.fn(`${prefix}-manual`)]);
      const deployed = reconcile.fact.found || manual.fact.found;
      const arn = reconcile.arn;
      return {
        functions: [reconcile.fact, manual.fact],
        rules: deployed && arn ? await read(() => this.rules(arn)) : { ok: true as const, value: [] },
        alarms: deployed ? await read(() => this.alarms([`${prefix}-reconcile-errors`, `${prefix}-reconcile-not-running`])) : { ok: true as const, value: [] },
      };
    });
  }

  unreservedConcurrency(): Promise<Read<number>> {
    return read(async () => {
      const r = await this.c.lambda.send(new GetAccountSettingsCommand({}));
      const n = r.AccountLimit?.UnreservedConcurrentExecutions;
      if (n === undefined) throw new Error('GetAccountSettings returned no UnreservedConcurrentExecutions');
      return n;
    });
  }
}
