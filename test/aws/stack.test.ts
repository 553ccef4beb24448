import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetAccountSettingsCommand, GetFunctionCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { StackReader } from '../../src/aws/stack';

const cfg = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const lambda = new LambdaClient(cfg);
const events = new EventBridgeClient(cfg);
const cloudwatch = new CloudWatchClient(cfg);
const lm = mockClient(lambda);
const em = mockClient(events);
const cm = mockClient(cloudwatch);
afterEach(() => {
  lm.reset();
  em.reset();
  cm.reset();
});

const reader = () => new StackReader({ lambda, events, cloudwatch });
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-reconcile';
const notFound = () => new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });

describe('StackReader', () => {
  it('a deployed stack: the two functions, the rules that target reconcile (paged), its two alarms', async () => {
    lm.on(GetFunctionCommand, { FunctionName: 'nat-failover-prod-reconcile' }).resolves({ Configuration: { State: 'Active', FunctionArn: ARN }, Concurrency: { ReservedConcurrentExecutions: 1 } });
    lm.on(GetFunctionCommand, { FunctionName: 'nat-failover-prod-manual' }).resolves({ Configuration: { State: 'Active' } });
    em.on(ListRuleNamesByTargetCommand, { TargetArn: ARN }).resolvesOnce({ RuleNames: ['r-sched'], NextToken: 't1' }).resolvesOnce({ RuleNames: ['r-alarm'] });
    em.on(DescribeRuleCommand, { Name: 'r-sched' }).resolves({ State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
    em.on(DescribeRuleCommand, { Name: 'r-alarm' }).resolves({ State: 'DISABLED', EventPattern: '{}' });
    cm.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'nat-failover-prod-reconcile-errors', ActionsEnabled: true }] });

    const s = await reader().stack('prod');

    expect(s).toStrictEqual({
      ok: true,
      value: {
        functions: [
          { name: 'nat-failover-prod-reconcile', found: true, state: 'Active', reservedConcurrency: 1 },
          { name: 'nat-failover-prod-manual', found: true, state: 'Active', reservedConcurrency: undefined },
        ],
        rules: { ok: true, value: [{ name: 'r-alarm', state: 'DISABLED' }, { name: 'r-sched', state: 'ENABLED', scheduleExpression: 'rate(1 minute)' }] },
        alarms: {
          ok: true,
          value: [
            { name: 'nat-failover-prod-reconcile-errors', found: true, actionsEnabled: true },
            { name: 'nat-failover-prod-reconcile-not-running', found: false },
          ],
        },
      },
    });
    expect(em.commandCalls(ListRuleNamesByTargetCommand).map((c) => c.args[0].input)).toStrictEqual([{ TargetArn: ARN }, { TargetArn: ARN, NextToken: 't1' }]);
    expect(cm.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { AlarmNames: ['nat-failover-prod-reconcile-errors', 'nat-failover-prod-reconcile-not-running'], AlarmTypes: ['MetricAlarm'] },
    ]);
  });

  it('not deployed: both functions not found, and no rule or alarm call is made', async () => {
    lm.on(GetFunctionCommand).rejects(notFound());
    const s = await reader().stack('dev');
    expect(s).toStrictEqual({
      ok: true,
      value: { functions: [{ name: 'nat-failover-dev-reconcile', found: false }, { name: 'nat-failover-dev-manual', found: false }], rules: { ok: true, value: [] }, alarms: { ok: true, value: [] } },
    });
    expect(em.calls()).toHaveLength(0);
    expect(cm.calls()).toHaveLength(0);
  });

  it('a denied read is a fact ("not checked"), one line, never a throw', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: lambda:GetFunction\non resource …'), { name: 'AccessDeniedException' });
    lm.on(GetFunctionCommand).rejects(denied);
    lm.on(GetAccountSettingsCommand).rejects(denied);
    expect(await reader().stack('prod')).toStrictEqual({ ok: false, error: 'AccessDeniedException: User is not authorized to perform: lambda:GetFunction' });
    expect(await reader().unreservedConcurrency()).toStrictEqual({ ok: false, error: 'AccessDeniedException: User is not authorized to perform: lambda:GetFunction' });
  });

  it('unreserved concurrency from GetAccountSettings', async () => {
    lm.on(GetAccountSettingsCommand).resolves({ AccountLimit: { UnreservedConcurrentExecutions: 990 } });
    expect(await reader().unreservedConcurrency()).toStrictEqual({ ok: true, value: 990 });
    lm.on(GetAccountSettingsCommand).resolves({});
    expect((await reader().unreservedConcurrency()).ok).toBe(false);
  });
});
