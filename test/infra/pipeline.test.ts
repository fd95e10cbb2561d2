import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RETRYABLE_CODES } from '../../functions/shared/errors';
import { PIPELINE, STORAGE } from '../../lib/config/limits';
import {
  functionIdByEntry,
  permissions,
  render,
  resources,
  resourcesOfType,
  stateMachineDefinition,
  statementsOf,
} from './helpers/template';
import { synthesize } from './helpers/synth';

let stateless: Template;

beforeAll(() => {
  ({ stateless } = synthesize());
});

const entryOf = (id: string) => resources(stateless)[id]!.Metadata?.['vnt:entry'];

describe('ffmpeg layer', () => {
  it('is an arm64 layer for the Node.js 22 runtime', () => {
    stateless.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleArchitectures: ['arm64'],
      CompatibleRuntimes: ['nodejs22.x'],
    });
  });

  it('is attached only to the functions that decode or split audio', () => {
    const withLayers = resourcesOfType(stateless, 'AWS::Lambda::Function')
      .filter(([, f]) => (f.Properties!.Layers as unknown[] | undefined)?.length)
      .map(([id]) => entryOf(id));
    expect(withLayers.sort()).toEqual(['functions/pipeline/fast-transcribe.ts', 'functions/pipeline/normalize.ts']);
  });
});

describe('intake: S3 → EventBridge → SQS (+DLQ) → starter', () => {
  const queues = () => resourcesOfType(stateless, 'AWS::SQS::Queue');
  const intake = () => queues().find(([, q]) => q.Properties!.RedrivePolicy)!;

  it('redrives upload notifications to a dead-letter queue after three failed receives', () => {
    const [, queue] = intake();
    const dlqId = render(queue.Properties!.RedrivePolicy.deadLetterTargetArn).replace(/^<(.+)\.Arn>$/, '$1');
    expect(resources(stateless)[dlqId]!.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties!.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(resources(stateless)[dlqId]!.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('encrypts every queue and refuses plain HTTP', () => {
    for (const [id, queue] of queues()) {
      expect(queue.Properties!.SqsManagedSseEnabled, id).toBe(true);
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the starter in batches with partial-batch failures, and outlasts it in visibility', () => {
    const [intakeId, queue] = intake();
    const starterId = functionIdByEntry(stateless, 'functions/pipeline/start-pipeline.ts');
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [intakeId, 'Arn'] },
      FunctionName: { Ref: starterId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const timeout = resources(stateless)[starterId]!.Properties!.Timeout as number;
    expect(queue.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('routes only uploads/ objects of the uploads bucket into the queue', () => {
    const rule = resourcesOfType(stateless, 'AWS::Events::Rule').find(
      ([, r]) => r.Properties!.EventPattern.source?.[0] === 'aws.s3',
    )![1];
    expect(rule.Properties!.EventPattern.detail).toEqual({
      bucket: { name: [{ 'Fn::ImportValue': 'VoiceNoteTranslator-dev-Stateful:UploadsBucketName' }] },
      object: { key: [{ prefix: STORAGE.uploadsPrefix }] },
    });
    expect(render(rule.Properties!.Targets[0].Arn)).toBe(`<${intake()[0]}.Arn>`);
  });

  it('has rules for Transcribe job state changes and abnormal execution ends', () => {
    const sources = resourcesOfType(stateless, 'AWS::Events::Rule')
      .filter(([, r]) => r.Properties!.EventPattern !== undefined)
      .map(([, r]) => r.Properties!.EventPattern.source[0]);
    expect(sources.sort()).toEqual(['aws.s3', 'aws.states', 'aws.transcribe']);
  });
});

describe('state machine', () => {
  const definition = () => stateMachineDefinition(stateless);
  const tasks = () => Object.entries(definition().States).filter(([, s]) => s.Type === 'Task');

  it('is a traced standard workflow with the pipeline execution timeout', () => {
    stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
    expect(definition().TimeoutSeconds).toBe(PIPELINE.executionTimeoutSeconds);
  });

  it('invokes Lambda tasks through lambda:invoke with Payload (what the local runner binds)', () => {
    for (const [name, state] of tasks()) {
      expect(state.Resource, name).toMatch(/^arn:<AWS::Partition>:states:::lambda:invoke/);
      const fnId = (state.Parameters.FunctionName as string).replace(/^<(.+)\.Arn>$/, '$1');
      expect(entryOf(fnId), name).toMatch(/^functions\/pipeline\//);
    }
  });

  it('gives every task a timeout', () => {
    for (const [name, state] of tasks()) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
  });

  it('retries transient Lambda errors and RETRYABLE_CODES with exponential backoff and jitter', () => {
    for (const [name, state] of tasks()) {
      const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'ENGINE_THROTTLED']));
      for (const retry of state.Retry) {
        expect(retry, name).toMatchObject({ BackoffRate: expect.any(Number), JitterStrategy: 'FULL' });
        expect(retry.BackoffRate).toBeGreaterThan(1);
      }
    }
    const all = tasks().flatMap(([, s]) => (s.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals));
    expect(all).toEqual(expect.arrayContaining([...RETRYABLE_CODES]));
  });

  it('catches every failure of every task into MarkFailed, which ends the execution failed', () => {
    const states = definition().States;
    const markFailed = Object.entries(states).find(([, s]) =>
      String(s.Parameters?.FunctionName).includes('MarkFailed'),
    )!;
    for (const [name, state] of tasks().filter(([n]) => n !== markFailed[0])) {
      const catchAll = (state.Catch as { ErrorEquals: string[]; Next: string }[]).find((c) =>
        c.ErrorEquals.includes('States.ALL'),
      );
      expect(catchAll?.Next, name).toBe(markFailed[0]);
    }
    expect(states[markFailed[1].Next].Type).toBe('Fail');
  });
});

describe('least privilege of the pipeline functions', () => {
  const perms = (file: string) =>
    permissions(statementsOf(stateless, functionIdByEntry(stateless, `functions/pipeline/${file}.ts`)));

  it('lets the normaliser read uploads and write normalised audio only', () => {
    const p = perms('normalize');
    expect(p.get('s3:GetObject')).toEqual(['VoiceNoteTranslator-dev-Stateful:UploadsBucketArn/uploads/*']);
    expect(p.get('s3:PutObject')).toEqual(['VoiceNoteTranslator-dev-Stateful:WorkBucketArn/normalized/*']);
    expect(p.has('s3:DeleteObject')).toBe(false);
  });

  it('lets only the starter and the job sweeper start executions, and only of this state machine', () => {
    const [[machineId]] = resourcesOfType(stateless, 'AWS::StepFunctions::StateMachine');
    expect(perms('start-pipeline').get('states:StartExecution')).toEqual([`<${machineId}>`]);
    expect(perms('sweep-jobs').get('states:StartExecution')).toEqual([`<${machineId}>`]);
    const starters = resourcesOfType(stateless, 'AWS::Lambda::Function').filter(([id, f]) =>
      f.Metadata?.['vnt:entry'] ? permissions(statementsOf(stateless, id)).has('states:StartExecution') : false,
    );
    expect(starters.map(([id]) => entryOf(id)).sort()).toEqual(['functions/pipeline/start-pipeline.ts', 'functions/pipeline/sweep-jobs.ts']);
  });

  it('scopes reading Transcribe batch jobs to the stage’s job-name prefix', () => {
    for (const reader of ['transcribe-events', 'fetch-transcription']) {
      expect(perms(reader).get('transcribe:GetTranscriptionJob')).toEqual([
        `arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/vnt-dev-*`,
      ]);
    }
  });

  it('starts Transcribe jobs on `*` (no resource type), only with output into the work bucket’s transcripts/', () => {
    const statements = statementsOf(stateless, functionIdByEntry(stateless, 'functions/pipeline/start-transcription.ts')).filter(
      (s) => s.Action === 'transcribe:StartTranscriptionJob',
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'transcribe:StartTranscriptionJob',
        Resource: '*',
        Condition: {
          StringEquals: { 'transcribe:OutputBucketName': { 'Fn::ImportValue': 'VoiceNoteTranslator-dev-Stateful:WorkBucketName' } },
          StringLike: { 'transcribe:OutputKey': 'transcripts/*' },
        },
      },
    ]);
  });

  it('gives the pipeline item access by item type: only start-transcription writes callbacks, nothing but the API writes keys', () => {
    const writers = (partition: string) =>
      resourcesOfType(stateless, 'AWS::Lambda::Function')
        .filter(([id, f]) =>
          f.Metadata?.['vnt:entry'] &&
          statementsOf(stateless, id).some(
            (s) =>
              [s.Action].flat().some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(String(a))) &&
              ((s.Condition as any)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[]).includes(partition),
          ),
        )
        .map(([id]) => entryOf(id))
        .sort();
    expect(writers('CALLBACK#*')).toEqual(['functions/api/delete-job.ts', 'functions/pipeline/start-transcription.ts']);
    expect(writers('KEY#*')).toEqual([]);
  });
});
