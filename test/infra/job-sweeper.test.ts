/**
 * The job sweeper in the stateless stack: its schedule, its function's limits and delivery settings, what it
 * may touch, and the alarm on what it finds.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE, processingCeilingSeconds, UPLOAD } from '../../lib/config/limits';
import { METRICS } from '../../lib/config/metric-names';
import { TIER_NAMES } from '../../lib/config/tiers';
import { functionIdByEntry, permissions, render, resources, resourcesOfType, stateMachineDefinition, statementsOf } from './helpers/template';
import { synthesize } from './helpers/synth';

let stateless: Template;
let sweeperId: string;

beforeAll(() => {
  ({ stateless } = synthesize());
  sweeperId = functionIdByEntry(stateless, 'functions/pipeline/sweep-jobs.ts');
});

const scheduleRule = () => {
  const rules = resourcesOfType(stateless, 'AWS::Events::Rule').filter(([, r]) => r.Properties!.ScheduleExpression !== undefined);
  expect(rules).toHaveLength(1);
  return rules[0]![1].Properties!;
};

describe('job sweeper', () => {
  it('runs on an EventBridge schedule every sweep interval, delivered with retries and a dead-letter queue', () => {
    const rule = scheduleRule();
    expect(rule.ScheduleExpression).toBe(`rate(${PIPELINE.sweepIntervalMinutes} minutes)`);
    expect(rule.Targets).toHaveLength(1);
    const [target] = rule.Targets;
    expect(render(target.Arn)).toBe(`<${sweeperId}.Arn>`);
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
    expect(resources(stateless)[render(target.DeadLetterConfig.Arn).replace(/^<(.+)\.Arn>$/, '$1')]!.Type).toBe('AWS::SQS::Queue');
  });

  it('ends well within its interval, so runs never overlap, and reports a run that kept failing to the dead-letter queue', () => {
    const timeout = resources(stateless)[sweeperId]!.Properties!.Timeout as number;
    expect(timeout).toBeLessThan(PIPELINE.sweepIntervalMinutes * 60);
    const configs = resourcesOfType(stateless, 'AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => render(c.Properties!.FunctionName) === `<${sweeperId}>`,
    );
    expect(configs).toHaveLength(1);
    const properties = configs[0]![1].Properties!;
    expect(properties.MaximumRetryAttempts).toBe(2);
    expect(properties.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  it('finds stuck jobs with a Query on the in-flight index, never a Scan', () => {
    const p = permissions(statementsOf(stateless, sweeperId));
    expect(p.get('dynamodb:Query')).toEqual(
      expect.arrayContaining(['arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/VoiceNoteTranslator-dev-Stateful:TableName/index/gsi2']),
    );
    expect(p.has('dynamodb:Scan')).toBe(false);
  });

  it('may start, describe and stop executions of the pipeline only', () => {
    const [[machineId]] = resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine');
    const p = permissions(statementsOf(stateless, sweeperId));
    expect(p.get('states:StartExecution')).toEqual([`<${machineId}>`]);
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) {
      expect(p.get(action), action).toEqual([
        `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machineId}.Name>:*`,
      ]);
    }
  });

  it('gets the state machine and the uploads bucket (the execution input) in its environment', () => {
    const variables = resources(stateless)[sweeperId]!.Properties!.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['STATE_MACHINE_ARN', 'UPLOADS_BUCKET', 'TABLE_NAME', 'PROGRESS_ENDPOINT']),
    );
  });

  it('never cuts short an execution the state machine itself still allows', () => {
    const timeout = stateMachineDefinition(stateless).TimeoutSeconds as number;
    for (const tier of TIER_NAMES) {
      // Counted from the job's creation: its upload may arrive up to the upload expiry later.
      expect(processingCeilingSeconds(tier) - UPLOAD.awaitingUploadExpirySeconds, tier).toBeGreaterThanOrEqual(timeout);
    }
  });
});

describe('operations', () => {
  const alarm = (idPart: string) =>
    resourcesOfType(stateless, 'AWS::CloudWatch::Alarm').find(([id]) => id.includes(idPart))![1].Properties!;

  it('alarms as soon as the sweeper finds a job left in flight', () => {
    expect(alarm('StuckJobsAlarm')).toMatchObject({
      MetricName: METRICS.names.stuckJobs,
      Namespace: METRICS.namespace,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('leaves uploads that never came out of the failed-note rate', () => {
    const metrics = alarm('FailureRateAlarm').Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { Dimensions: unknown[] } } }[];
    const expired = metrics.find((m) => JSON.stringify(m.MetricStat?.Metric.Dimensions ?? []).includes('UPLOAD_EXPIRED'));
    expect(expired).toBeDefined();
    const expression = metrics.find((m) => m.Expression !== undefined)!.Expression!;
    expect(expression).toContain(`f - FILL(${expired!.Id}, 0)`);
  });
});
