import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RETRYABLE_CODES } from '../../../functions/shared/errors';
import { ENV } from '../../../lib/config/env-names';
import { PIPELINE, TRANSCRIBE_STREAMING } from '../../../lib/config/limits';
import { stateMachinesOf } from '../../../local/workflow';
import { synthPipelineTestStack } from '../../helpers/pipeline-workflow-stack';

type State = Record<string, unknown> & { Type: string };
type Retrier = { ErrorEquals: string[]; JitterStrategy?: string; MaxAttempts?: number; IntervalSeconds?: number };
type Catcher = { ErrorEquals: string[]; Next: string };

let template: Template;
let states: Record<string, State>;
let timeoutSeconds: number | undefined;

/** Logical id of the function whose `vnt:entry` is functions/pipeline/<name>.ts. */
function functionId(name: string): string {
  const [id] = Object.entries(template.findResources('AWS::Lambda::Function', { Metadata: { 'vnt:entry': `functions/pipeline/${name}.ts` } }));
  if (!id) throw new Error(`no function for ${name}`);
  return id[0];
}

/** Every IAM statement attached to a function's role. */
function statementsOf(name: string): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
  const role = (template.findResources('AWS::Lambda::Function')[functionId(name)]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
const actionsOf = (name: string) => statementsOf(name).flatMap((s) => [s.Action].flat());

beforeAll(() => {
  const synthesised = synthPipelineTestStack();
  template = Template.fromJSON(synthesised.template);
  const [machine] = stateMachinesOf(synthesised.template as never);
  states = machine!.definition.States as Record<string, State>;
  timeoutSeconds = machine!.definition.TimeoutSeconds;
});

describe('PipelineWorkflow state machine', () => {
  it('is a traced Standard workflow with an overall timeout and error logs without execution data', () => {
    expect(timeoutSeconds).toBe(PIPELINE.executionTimeoutSeconds);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
    });
  });

  it('routes cache hits (found by Normalize itself) to the end and short notes (by the tier’s limit) to the fast path', () => {
    expect(states.NormalizeAudio!.Next).toBe('CachedResult?');
    const payload = (states.NormalizeAudio!.Parameters as { Payload: Record<string, string> }).Payload;
    expect(payload).toMatchObject({
      'targetLanguage.$': '$.targetLanguage',
      'languageHint.$': '$.languageHint',
      'executionStartTime.$': '$$.Execution.StartTime',
    });
    expect(states.NormalizeAudio!.ResultSelector).toHaveProperty(['cached.$'], '$.Payload.cached');
    expect(states['CachedResult?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.audio.cached', BooleanEquals: true, Next: 'CompletedFromCache' }],
      Default: 'ShortNote?',
    });
    expect(states['ShortNote?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.audio.durationSeconds', NumericLessThanEqualsPath: '$.audio.fastPathMaxSeconds', Next: 'FastTranscribe' }],
      Default: 'TranscribeBatch',
    });
  });

  it('sends a short note to the batch path when the fast path finds the stage’s Transcribe streams all taken', () => {
    expect(states.FastTranscribe).toMatchObject({ ResultPath: '$.fastPath', Next: 'StreamsGranted?' });
    expect(states['StreamsGranted?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.fastPath.outcome', StringEquals: 'transcribed', Next: 'StreamedTranscript' }],
      Default: 'TranscribeBatch',
    });
    // The streamed transcript lands where the batch path puts its own, for the same Translate state.
    expect(states.StreamedTranscript).toEqual({ Type: 'Pass', InputPath: '$.fastPath.transcript', ResultPath: '$.transcript', Next: 'TranslateTranscript' });
    expect(states.TranscribeBatch!.Next).toBe('TranslateTranscript');
  });

  it('runs the fast path no longer than a stream lease lives, so a holder never outlives its claim', () => {
    const fastTranscribe = template.findResources('AWS::Lambda::Function')[functionId('fast-transcribe')]!;
    expect(fastTranscribe.Properties.Timeout).toBe(TRANSCRIBE_STREAMING.fastPathTimeoutSeconds);
  });

  it('gives every task a timeout, backoff-with-jitter retries of throttling, and a catch into MarkFailed', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(
      ['CompleteJob', 'FastTranscribe', 'FetchTranscription', 'MarkFailed', 'NormalizeAudio', 'TranscribeBatch', 'TranslateTranscript'],
    );
    for (const [name, state] of tasks) {
      expect(state.TimeoutSeconds, name).toEqual(expect.any(Number));
      const retries = state.Retry as Retrier[];
      expect(retries.find((r) => r.ErrorEquals.includes('ENGINE_THROTTLED')), name).toMatchObject({ JitterStrategy: 'FULL' });
      expect(retries.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException')), name).toMatchObject({ JitterStrategy: 'FULL' });
      if (name !== 'MarkFailed') {
        expect((state.Catch as Catcher[]).at(-1), name).toEqual(expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'MarkFailed' }));
      }
    }
    expect(RETRYABLE_CODES).toContain('ENGINE_THROTTLED');
  });

  it('waits for the Transcribe callback with a timeout that falls back to polling', () => {
    const batch = states.TranscribeBatch!;
    expect(batch.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(batch.TimeoutSeconds).toBe(PIPELINE.transcribeCallbackTimeoutSeconds);
    expect((batch.Parameters as { Payload: Record<string, string> }).Payload['taskToken.$']).toBe('$$.Task.Token');
    expect((batch.Catch as Catcher[])[0]).toEqual(expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'FetchTranscription' }));
    const polling = (states.FetchTranscription!.Retry as Retrier[]).find((r) => r.ErrorEquals.includes('TRANSCRIPTION_PENDING'));
    expect(polling).toMatchObject({ JitterStrategy: 'FULL', MaxAttempts: expect.toSatisfy((n: number) => n >= 10) });
  });

  it('ends a failure as a failed execution carrying the job’s error code', () => {
    expect(states.MarkFailed!.Next).toBe('PipelineFailed');
    expect(states.PipelineFailed).toEqual({ Type: 'Fail', ErrorPath: '$.failure.code', CausePath: '$.failure.message' });
  });
});

describe('PipelineWorkflow intake and events', () => {
  it('feeds uploads through an encrypted, TLS-only queue with a DLQ after 3 receives to the starter, reporting partial failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('start-pipeline') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: [{ prefix: 'uploads/' }] } } },
    });
  });

  it('routes only this stage’s Transcribe jobs’ final states to the callback function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.transcribe'],
        'detail-type': ['Transcribe Job State Change'],
        detail: { TranscriptionJobStatus: ['COMPLETED', 'FAILED'], TranscriptionJobName: [{ prefix: 'vnt-test-' }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('transcribe-events'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('sends this state machine’s timed-out, aborted and failed executions to the watchdog', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.states'], detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [Match.anyValue()] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('execution-watchdog'), 'Arn'] } })],
    });
  });
});

describe('PipelineWorkflow functions (least privilege)', () => {
  it('attaches the ffmpeg layer only to the functions that decode or split audio', () => {
    const withLayers = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, r]) => r.Properties.Layers !== undefined)
      .map(([, r]) => r.Metadata['vnt:entry']);
    expect(withLayers.sort()).toEqual(['functions/pipeline/fast-transcribe.ts', 'functions/pipeline/normalize.ts']);
  });

  it('lets only the starter start executions and only the Transcribe callback answer task tokens', () => {
    const holders = (action: string) =>
      ['start-pipeline', 'normalize', 'fast-transcribe', 'start-transcription', 'transcribe-events',
        'fetch-transcription', 'translate', 'complete', 'mark-failed', 'execution-watchdog'].filter((name) => actionsOf(name).includes(action));
    expect(holders('states:StartExecution')).toEqual(['start-pipeline']);
    expect(holders('states:SendTaskSuccess')).toEqual(['transcribe-events']);
    expect(holders('transcribe:StartTranscriptionJob')).toEqual(['start-transcription']);
    expect(holders('translate:TranslateText')).toEqual(['translate']);
  });

  it('gives Transcribe, through the starting function, read on normalized/ and write on transcripts/ only', () => {
    const s3 = statementsOf('start-transcription').filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [expect.anything(), '/normalized/*']] } }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [expect.anything(), '/transcripts/*']] } }),
    ]);
  });

  it('grants no wildcard data actions', () => {
    for (const statement of Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement)) {
      for (const action of [statement.Action].flat() as string[]) expect(action).not.toMatch(/^(s3|dynamodb|states):\*$/);
    }
  });

  it('sets each function’s environment next to its grants', () => {
    const environment = (name: string) =>
      (template.findResources('AWS::Lambda::Function')[functionId(name)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environment('start-pipeline')).toHaveProperty(ENV.stateMachineArn);
    expect(environment('normalize')).toHaveProperty(ENV.workBucket);
    for (const name of ['normalize', 'translate', 'complete', 'mark-failed', 'execution-watchdog']) {
      expect(environment(name)).toHaveProperty(ENV.progressEndpoint);
      expect(environment(name)).toHaveProperty(ENV.tableName);
    }
    // What the recognition tasks' speech engines are built with (speechRecognitionServiceFromEnv).
    for (const name of ['fast-transcribe', 'start-transcription', 'transcribe-events', 'fetch-transcription']) {
      expect(environment(name)).toHaveProperty(ENV.stage);
      expect(environment(name)).toHaveProperty(ENV.workBucket);
    }
  });
});
