import '../pipeline/pipeline-env';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetTranscriptionJobCommand } from '@aws-sdk/client-transcribe';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as executionWatchdog } from '../../../functions/pipeline/execution-watchdog';
import { handler as startPipeline } from '../../../functions/pipeline/start-pipeline';
import { handler as transcribeEvents } from '../../../functions/pipeline/transcribe-events';
import { authorize } from '../../../functions/progress/authorize';
import { handler as connect } from '../../../functions/progress/connect';
import { metrics } from '../../../functions/shared/powertools';
import { transcriptionJobName } from '../../../lib/config/limits';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import {
  bindTemplates,
  type CfnTemplate,
  type EventRuleBinding,
  matchesEventPattern,
  referencedLogicalId,
} from '../../../local/template/template-bindings';
import {
  EXECUTION_SAMPLES,
  executionStatusChange,
  s3ObjectCreated,
  sqsReceiveMessage,
  transcribeJobStateChange,
  transcribeLanguageIdentificationStateChange,
  webSocketAuthorizerRequest,
  SAMPLE_API_KEY_ID,
  webSocketConnect,
  webSocketConnectWithoutKey,
} from '../../events/aws-samples/samples';
import { lambdaContext } from '../../events/lambda-context';
import { PIPELINE_TEST_STAGE, synthPipelineTestStack } from '../../helpers/pipeline-workflow-stack';
import { PIPELINE_TEST_ENV } from '../pipeline/pipeline-env';
import { ddb, givenJob, JOB_ID, job, jobUpdates, jobWritesSucceed, OWNER, resetMocks, s3mock, sfn, transcribe, UPLOADS_BUCKET, WORK_BUCKET } from '../pipeline/pipeline-mocks';

/**
 * AWS's own event samples (test/events/aws-samples) through the synthesised EventBridge rules and the real
 * handlers, middleware chain included. The rules' references (the uploads bucket, the state machine) are
 * resolved to the names the handlers are given, so a sample routes only if it names our resources.
 */
const UPLOAD_KEY = `uploads/${OWNER}/${JOB_ID}`;
const JOB_NAME = transcriptionJobName(PIPELINE_TEST_STAGE, JOB_ID);
const STATE_MACHINE_ARN = PIPELINE_TEST_ENV.STATE_MACHINE_ARN;

let rules: ReadonlyArray<EventRuleBinding & { readonly to: string }>;

/** Where the synthesised rules send `event`: function handlers, or `queue → <consumer>` for a queue target. */
function routes(event: unknown): string[] {
  return rules.filter((rule) => matchesEventPattern(rule.eventPattern, event)).map((rule) => rule.to);
}

beforeAll(() => {
  const { stack, workflow, template } = synthPipelineTestStack();
  const resources = (template as unknown as CfnTemplate).Resources;
  const [uploadsBucketId] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('Uploads'))!;
  const concrete: Record<string, string> = {
    [uploadsBucketId]: UPLOADS_BUCKET,
    [stack.getLogicalId(workflow.stateMachine.node.defaultChild as CfnElement)]: STATE_MACHINE_ARN,
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    if (Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'))) {
      const id = referencedLogicalId(value);
      if (id === undefined || concrete[id] === undefined) throw new Error(`Unresolved reference in a rule: ${JSON.stringify(value)}`);
      return concrete[id];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  const bindings = bindTemplates([template as unknown as CfnTemplate]);
  const handlerOf = (entry: string) => entry.replace(/^functions\/pipeline\/(.+)\.ts$/, '$1');
  rules = bindings.eventRules.map((rule) => ({
    ...rule,
    eventPattern: resolve(rule.eventPattern) as Record<string, unknown>,
    to: rule.targets
      .map((target) =>
        target.kind === 'function'
          ? handlerOf(target.function.entry)
          : `queue → ${bindings.queueConsumers.filter((c) => c.queueLogicalId === target.queueLogicalId).map((c) => handlerOf(c.function.entry)).join(', ')}`,
      )
      .join(', '),
  }));
});

beforeEach(() => {
  resetMocks();
  ddb.on(PutCommand).resolves({});
});

describe('S3 "Object Created" via EventBridge (Amazon S3 User Guide sample) → intake queue → start-pipeline', () => {
  it('routes an upload of ours to the intake queue, and only that', () => {
    expect(routes(s3ObjectCreated(UPLOADS_BUCKET, UPLOAD_KEY))).toEqual(['queue → start-pipeline']);
    // As published (another bucket), an object of ours outside uploads/, another bucket with our key layout.
    expect(routes(s3ObjectCreated('DOC-EXAMPLE-BUCKET1', 'example-key'))).toEqual([]);
    expect(routes(s3ObjectCreated(UPLOADS_BUCKET, 'example-key'))).toEqual([]);
    expect(routes(s3ObjectCreated('DOC-EXAMPLE-BUCKET1', UPLOAD_KEY))).toEqual([]);
  });

  it('starts the job’s execution from the SQS message the rule delivers (SAM CLI SQS sample around it)', async () => {
    givenJob(job({ status: 'awaiting_upload' }));
    jobWritesSucceed(job({ status: 'queued' }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:${JOB_ID}`, startDate: new Date() });

    const result = await startPipeline(sqsReceiveMessage(JSON.stringify(s3ObjectCreated(UPLOADS_BUCKET, UPLOAD_KEY))), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'queued' })]);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: JOB_ID });
  });

  it('drops the published sample’s object (not an upload of a job) without failing the message', async () => {
    const result = await startPipeline(sqsReceiveMessage(JSON.stringify(s3ObjectCreated('DOC-EXAMPLE-BUCKET1', 'example-key'))), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('"Transcribe Job State Change" (Amazon Transcribe Developer Guide sample) → transcribe-events', () => {
  const TOKEN = 'AAAAKgAAAAIAAAAAAAAAAQ-task-token';
  beforeEach(() => {
    ddb.on(GetCommand, { Key: keys.transcriptionCallback(JOB_ID) }).resolves({
      Item: { ...keys.transcriptionCallback(JOB_ID), taskToken: TOKEN, startedAt: new Date(Date.now() - 5_000).toISOString() },
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
  });
  const givenTranscribeJob = (status: 'COMPLETED' | 'FAILED') => {
    transcribe.on(GetTranscriptionJobCommand, { TranscriptionJobName: JOB_NAME }).resolves({
      TranscriptionJob: {
        TranscriptionJobName: JOB_NAME,
        TranscriptionJobStatus: status,
        LanguageCode: 'en-US',
        ...(status === 'FAILED' && { FailureReason: 'The media format is not supported.' }),
      },
    });
    const transcript = JSON.stringify({ results: { transcripts: [{ transcript: 'go forward ten meters' }] } });
    s3mock.on(GetObjectCommand, { Bucket: WORK_BUCKET, Key: `transcripts/${JOB_ID}.json` }).callsFake(() => ({
      Body: Object.assign(Readable.from([transcript]), { transformToString: async () => transcript }),
    }));
  };

  it('routes this stage’s finished jobs to transcribe-events, and nothing else', () => {
    expect(routes(transcribeJobStateChange(JOB_NAME, 'COMPLETED'))).toEqual(['transcribe-events']);
    expect(routes(transcribeJobStateChange(JOB_NAME, 'FAILED'))).toEqual(['transcribe-events']);
    // As published (not our job name), another stage's job, and the language identification event.
    expect(routes(transcribeJobStateChange('my-first-transcription-job'))).toEqual([]);
    expect(routes(transcribeJobStateChange(transcriptionJobName('prod', JOB_ID)))).toEqual([]);
    expect(routes(transcribeLanguageIdentificationStateChange())).toEqual([]);
  });

  it('completes the waiting task with the transcript on COMPLETED', async () => {
    givenTranscribeJob('COMPLETED');

    await expect(transcribeEvents(transcribeJobStateChange(JOB_NAME, 'COMPLETED'), lambdaContext())).resolves.toBe('success');
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toMatchObject({ text: 'go forward ten meters', languageCode: 'en' });
  });

  it('fails the waiting task with TRANSCRIPTION_FAILED on FAILED', async () => {
    givenTranscribeJob('FAILED');

    await expect(transcribeEvents(transcribeJobStateChange(JOB_NAME, 'FAILED'), lambdaContext())).resolves.toBe('failure');
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toMatchObject({ taskToken: TOKEN, error: 'TRANSCRIPTION_FAILED' });
  });

  it('drops the published sample (not our job) without touching Step Functions', async () => {
    await expect(transcribeEvents(transcribeJobStateChange('my-first-transcription-job'), lambdaContext())).resolves.toBe('not-ours');
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('"Step Functions Execution Status Change" (AWS Step Functions Developer Guide samples) → execution-watchdog', () => {
  beforeEach(() => {
    jobWritesSucceed(job({ status: 'transcribing' }));
    ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
  });

  it('routes only our state machine’s failed, timed-out and aborted executions to the watchdog', () => {
    const routed = EXECUTION_SAMPLES.filter((which) => routes(executionStatusChange(which, STATE_MACHINE_ARN, JOB_ID)).includes('execution-watchdog'));
    expect(routed).toEqual(['failed', 'timed-out', 'aborted']);
    const otherMachine = STATE_MACHINE_ARN.replace(/:[^:]+$/, ':someone-elses');
    expect(routes(executionStatusChange('failed', otherMachine, JOB_ID))).toEqual([]);
  });

  it.each([
    ['timed-out', 'PIPELINE_TIMEOUT'],
    ['failed', 'INTERNAL_ERROR'],
    ['aborted', 'INTERNAL_ERROR'],
  ] as const)('fails the job an execution left in flight when it %s, with %s', async (which, code) => {
    await expect(executionWatchdog(executionStatusChange(which, STATE_MACHINE_ARN, JOB_ID), lambdaContext())).resolves.toEqual({ failed: true });
    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code }) })]);
  });

  it.each(['started', 'succeeded'] as const)('leaves the job alone on the %s sample, should one ever be delivered', async (which) => {
    await expect(executionWatchdog(executionStatusChange(which, STATE_MACHINE_ARN, JOB_ID), lambdaContext())).resolves.toEqual({ failed: false });
    expect(jobUpdates()).toEqual([]);
  });

  it('ignores the published samples’ execution, whose name is not a job id', async () => {
    await expect(executionWatchdog(executionStatusChange('failed', STATE_MACHINE_ARN, 'execution-name'), lambdaContext())).resolves.toEqual({ failed: false });
    expect(jobUpdates()).toEqual([]);
  });
});

describe('WebSocket $connect with a REQUEST authorizer (API Gateway guide and AWS Lambda for Go samples) → authorize, connect', () => {
  const API_KEY = 'Zq3xV8pL2mN7rT4wY9bC1dF6gH0jK5sA';

  it('authorizer: hands ?apiKey= to API Gateway as the usage identifier key, allowing the sample’s own $connect ARN', async () => {
    const event = webSocketAuthorizerRequest(API_KEY);

    await expect(authorize(event)).resolves.toEqual({
      principalId: 'api-key',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
      usageIdentifierKey: API_KEY,
    });
    expect(event.methodArn).toMatch(/\/\$connect$/);
  });

  it('authorizer: refuses the published sample, which carries no apiKey', async () => {
    await expect(authorize(webSocketAuthorizerRequest())).rejects.toThrow('Unauthorized');
  });

  it('connect: registers the connection’s owner from the key-enabled Go sample’s identity.apiKeyId', async () => {
    ddb.on(GetCommand, { Key: keys.apiKey(SAMPLE_API_KEY_ID) }).resolves({
      Item: { ...keys.apiKey(SAMPLE_API_KEY_ID), apiKeyId: SAMPLE_API_KEY_ID, name: 'alice', tier: 'free', createdAt: '2026-01-01T00:00:00Z' },
    });
    const event = webSocketConnect();

    await expect(connect(event, lambdaContext())).resolves.toEqual({ statusCode: 200 });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      ...keys.connectionOwner(event.requestContext.connectionId),
      ownerId: SAMPLE_API_KEY_ID,
    });
  });

  it('connect: answers a $connect whose route is not key-enabled (the guide’s sample: identity.sourceIp only) with 500 and the metric', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    const result = await connect(webSocketConnectWithoutKey(), lambdaContext());

    expect(result.statusCode).toBe(500);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.webSocketConnectWithoutKeyId, 'Count', 1);
    expect(ddb.calls()).toHaveLength(0);
  });
});
