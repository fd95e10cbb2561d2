import { describe, expect, it } from 'vitest';
import {
  capacityAt,
  classifyPath,
  fastPathCapacity,
  perNoteFigures,
  transitionsByPath,
  type CapacityAssumptions,
} from '../../../bench/capacity/capacity-model';
import { customMetricSeries, fixedMonthlyCost, idleMonthlyTotal } from '../../../bench/capacity/fixed-cost';
import { alarmMetricCount, retainedResources, scheduledRuns, stackOutputs, stateMachineDefinition, statePaths, type Template } from '../../../bench/capacity/template-facts';
import { DEFAULT_USAGE, fastPathRecognitionSeconds } from '../../../bench/cost/cost-model';
import { US_EAST_1_PRICES as prices } from '../../../bench/cost/prices';

const lambdaTask = (fn: string, next: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: `@@${fn}@@` },
  Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
  Next: next,
});

/** A state machine shaped like ours: a choice to a cache hit, a fast path with a fallback, and batch. */
const asl = {
  StartAt: 'NormalizeAudio',
  States: {
    NormalizeAudio: lambdaTask('Normalize', 'CachedResult?'),
    'CachedResult?': { Type: 'Choice', Choices: [{ Variable: '$.c', BooleanEquals: true, Next: 'CompletedFromCache' }], Default: 'ShortNote?' },
    'ShortNote?': { Type: 'Choice', Choices: [{ Variable: '$.s', BooleanEquals: true, Next: 'FastTranscribe' }], Default: 'TranscribeBatch' },
    FastTranscribe: lambdaTask('Fast', 'StreamsGranted?'),
    'StreamsGranted?': { Type: 'Choice', Choices: [{ Variable: '$.g', BooleanEquals: true, Next: 'StreamedTranscript' }], Default: 'TranscribeBatch' },
    StreamedTranscript: { Type: 'Pass', Next: 'Done' },
    TranscribeBatch: lambdaTask('Batch', 'Done'),
    Done: { Type: 'Succeed' },
    CompletedFromCache: { Type: 'Succeed' },
    Failed: { Type: 'Fail' },
  },
};

const fn = { Type: 'AWS::Lambda::Function', Properties: {} };
const template: Template = {
  Resources: {
    Normalize: fn,
    Fast: fn,
    Batch: fn,
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      // As CDK writes it: the definition's text joined around the functions' ARNs.
      Properties: {
        DefinitionString: {
          'Fn::Join': ['', JSON.stringify(asl).split(/@@(\w+)@@/).map((part, i) => (i % 2 === 1 ? { 'Fn::GetAtt': [part, 'Arn'] } : part))],
        },
      },
    },
    Table: { Type: 'AWS::DynamoDB::GlobalTable', DeletionPolicy: 'Retain' },
    Bucket1: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
    Bucket2: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
    Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete' },
    PlainAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
    MathAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Metrics: [{ Id: 'expr', Expression: 'f / c' }, { Id: 'f', MetricStat: {} }, { Id: 'c', MetricStat: {} }] },
    },
  },
  Outputs: { ApiUrl: { Description: 'The API' }, TableNameExport: { Export: { Name: 'x' } } },
};

describe('template facts', () => {
  it('walks every success path of the state machine, catches not taken, with the functions its tasks invoke', () => {
    const paths = statePaths(stateMachineDefinition(template));
    expect(paths.map((p) => p.states.length).sort()).toEqual([3, 5, 7, 7]);
    const fallback = paths.find((p) => p.states.includes('FastTranscribe') && p.states.includes('TranscribeBatch'))!;
    expect(fallback.lambdaTasks.map((t) => t.functionLogicalId)).toEqual(['Normalize', 'Fast', 'Batch']);
    expect(paths.flatMap((p) => p.states)).not.toContain('Failed');
  });

  it('names the paths and counts their transitions', () => {
    expect(transitionsByPath(statePaths(stateMachineDefinition(template)))).toEqual({ 'cache-hit': 3, batch: 5, fast: 7, 'fast-fallback': 7 });
    expect(() => classifyPath({ states: ['A', 'B'], lambdaTasks: [] })).toThrow(/unrecognised/);
  });

  it('refuses a loop instead of walking it forever', () => {
    const loop: Template = {
      Resources: {
        M: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } }) },
        },
      },
    };
    expect(() => statePaths(stateMachineDefinition(loop))).toThrow(/loop/);
  });

  it('bills a metric-math alarm per metric it reads, not per expression', () => {
    expect(alarmMetricCount(template)).toBe(1 + 2);
  });

  it('lists retained resources by type and the outputs with their exports', () => {
    expect(retainedResources(template)).toEqual({ 'AWS::DynamoDB::GlobalTable': 1, 'AWS::S3::Bucket': 2 });
    expect(stackOutputs(template)).toEqual([
      { id: 'ApiUrl', description: 'The API', exported: false },
      { id: 'TableNameExport', exported: true },
    ]);
  });
});

describe('fixed monthly cost', () => {
  const inventory = { dashboards: 1, alarmMetrics: 8, secrets: 1, customerManagedKmsKeys: 0, customMetricSeries: 61, webAclAssociations: 0 };
  const polling = { queues: 1, pollersPerQueue: 5, waitSeconds: 20 };

  it('prices each item as quantity × list price and leaves traffic-only items out of the idle total', () => {
    const items = fixedMonthlyCost(inventory, polling, [], prices);
    const byName = (prefix: string) => items.find((i) => i.item.startsWith(prefix))!;
    expect(byName('CloudWatch dashboard').monthly).toBeCloseTo(3, 10);
    expect(byName('CloudWatch alarm').monthly).toBeCloseTo(0.8, 10);
    // 5 connections × one receive per 20 s × 30 days.
    expect(byName('SQS receives').quantity).toBe(5 * (30 * 86_400) / 20);
    expect(byName('Custom metrics').monthly).toBeCloseTo(61 * 0.3, 10);
    expect(idleMonthlyTotal(items)).toBeCloseTo(3 + 0.8 + 0.4 + 648_000 * 0.4e-6, 10);
  });

  it('prices a scheduled function by its runs a month: requests, GB-s and log ingestion', () => {
    const sweeper = { name: 'sweep', everySeconds: 300, memoryMb: 512, idleRunMs: 100, logBytesPerRun: 1_500 };
    const [item] = fixedMonthlyCost(inventory, polling, [sweeper], prices).filter((i) => i.item.startsWith('Scheduled'));
    expect(item!.quantity).toBe(8_640);
    const perRun = 0.2e-6 + 0.5 * 0.1 * prices.lambdaArm64.perGbSecond + (1_500 / 1024 ** 3) * 0.5;
    expect(item!.monthly).toBeCloseTo(8_640 * perRun, 12);
  });

  it('counts a ColdStart per function, a RequestDuration per route, the other names once and NotesFailed per code', () => {
    expect(customMetricSeries({ functionsWithMetrics: 23, routes: 9, metricNames: 15, failureCodes: 15 })).toBe(23 + 9 + 14 + 15);
  });
});

describe('capacity model', () => {
  const transitions = { fast: 9, 'fast-fallback': 9, batch: 7, 'cache-hit': 3 };
  const assumptions: CapacityAssumptions = {
    noteSeconds: 30,
    peakToAverage: 3,
    cacheHitRatio: 0,
    batchJobSeconds: 30,
    statsItemWriteUnits: 2,
    maxStreamsPerStage: 12,
    stageRestRateLimit: 1_000,
  };
  const hold = fastPathRecognitionSeconds(30, DEFAULT_USAGE.fastPathChunkSeconds).worst;

  it('lets the stream lease take streams ÷ (streams per note × hold time) notes a second', () => {
    // 30 s in 6 s chunks: 5 streams, each held for the worst recognition time.
    expect(fastPathCapacity(assumptions)).toBeCloseTo(12 / (5 * hold), 10);
    // A note needing more streams than the stage has never streams.
    expect(fastPathCapacity({ ...assumptions, maxStreamsPerStage: 4 })).toBe(0);
  });

  it('sends the notes the lease cannot take to batch, and sizes each quota at the peak rate', () => {
    const day = 100_000;
    const c = capacityAt(day, transitions, assumptions);
    const peak = (day / 86_400) * 3;
    expect(c.peakNotesPerSecond).toBeCloseTo(peak, 10);
    expect(c.fastPathNotesPerSecond).toBeCloseTo(fastPathCapacity(assumptions), 10);
    expect(c.fallbackNotesPerSecond).toBeCloseTo(peak - fastPathCapacity(assumptions), 10);
    const by = (prefix: string) => c.constraints.find((x) => x.name.startsWith(prefix))!;
    expect(by('Transcribe streams').demand).toBeCloseTo(peak * 5 * hold, 10);
    expect(by('Transcribe batch').demand).toBeCloseTo(c.fallbackNotesPerSecond * 30, 10);
    expect(by('Step Functions state transitions').demand).toBeCloseTo(peak * 9, 10);
    expect(by('DynamoDB hot item: STATS').demand).toBeCloseTo(peak * 2, 10);
    expect(by('DynamoDB hot partition: GSI2').demand).toBeCloseTo(peak * 2, 10);
    expect(by('REST API').demand).toBeCloseTo(peak * DEFAULT_USAGE.restRequests, 10);
    // Highest use first; a quota AWS does not publish comes last.
    const uses = c.constraints.map((x) => x.utilisation);
    expect(uses.slice(0, -1)).toEqual([...uses.slice(0, -1)].sort((a, b) => b - a));
    expect(c.constraints.at(-1)!.name).toMatch(/Translate/);
  });

  it('keeps every note on the fast path while the lease has room, and counts cache hits out of the engines', () => {
    const c = capacityAt(1_000, transitions, { ...assumptions, cacheHitRatio: 0.5 });
    expect(c.fallbackNotesPerSecond).toBe(0);
    const fresh = (1_000 / 86_400) * 3 * 0.5;
    expect(c.constraints.find((x) => x.name.includes('Translate'))!.demand).toBeCloseTo(fresh, 10);
  });

  it('adds a refused lease write and a short fast-transcribe run to a note that falls back to batch', () => {
    const batch = perNoteFigures('batch', 30, transitions);
    const fallback = perNoteFigures('fast-fallback', 30, transitions);
    expect(fallback.lambdaInvocations).toBe(batch.lambdaInvocations + 1);
    expect(fallback.dynamoWriteUnits).toBe(batch.dynamoWriteUnits + 1);
    expect(fallback.transitions).toBe(9);
  });
});

describe('scheduled runs', () => {
  it('reads a rate schedule and the function it targets', () => {
    const t: Template = {
      Resources: {
        Sweep: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512 } },
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Arn: { 'Fn::GetAtt': ['Sweep', 'Arn'] } }] },
        },
        OnEvent: { Type: 'AWS::Events::Rule', Properties: { EventPattern: {} } },
      },
    };
    expect(scheduledRuns(t)).toEqual([{ ruleLogicalId: 'Rule', functionLogicalId: 'Sweep', everySeconds: 300 }]);
  });
});
