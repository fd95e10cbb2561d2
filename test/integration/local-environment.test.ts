import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lib/config/env-names';
import { ENTRY_METADATA_KEY } from '../../lib/constructs/service-function';
import { LOCAL } from '../../local/config';
import { FunctionHost } from '../../local/lambda/function-host';
import { handlerEnvironments, localRuntimeEnvironment, processWideEnvironment } from '../../local/lambda/handler-environment';
import { consoleLog } from '../../local/log';
import { localResources } from '../../local/pipeline/local-resources';
import { startLocalPipeline } from '../../local/pipeline/local-pipeline';
import { stateLayout } from '../../local/state-dir';
import { type SynthesizedApp, synthesizeApp } from '../../local/template/synthesize';
import { bindTemplates } from '../../local/template/template-bindings';
import { type FunctionEnvironment, resolveFunctionEnvironments } from '../../local/template/template-environment';

const PROGRESS_ENDPOINT = 'http://127.0.0.1:3999/ws';
const CURSOR_SECRET = randomBytes(32).toString('base64url');
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Local';

let app: SynthesizedApp;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-local-env-'));
  app = await synthesizeApp();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The app with one function's template environment changed. */
function withEnvironment(entry: string, change: (variables: Record<string, unknown>) => void): SynthesizedApp {
  const templates = structuredClone(app.templates) as SynthesizedApp['templates'];
  const fn = templates
    .flatMap((t) => Object.values(t.Resources))
    .find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY] === entry)!;
  change((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables);
  return { ...app, templates };
}

/** Starts the local pipeline of `changed` (stopped again if it starts). */
async function startPipelineOf(changed: SynthesizedApp, name: string): Promise<void> {
  const pipeline = await startLocalPipeline({
    layout: stateLayout(path.join(dir, name)),
    functions: new FunctionHost(),
    log: consoleLog(true),
    // Nothing reaches DynamoDB while the pipeline starts.
    dynamoDbEndpoint: 'http://127.0.0.1:9',
    progressEndpoint: PROGRESS_ENDPOINT,
    cursorSecret: CURSOR_SECRET,
    credentials: { accessKeyId: LOCAL.accessKeyId, secretAccessKey: 'test-secret' },
    app: changed,
  });
  await pipeline.stop();
}

describe('the local stack runs each function with its own template environment', () => {
  it('resolves every function’s template variables to the local resources', () => {
    const resources = localResources(app.templates, app.logicalIds, {
      stateMachineArn: STATE_MACHINE_ARN,
      progressEndpoint: PROGRESS_ENDPOINT,
      queueUrls: {},
      cursorSecret: CURSOR_SECRET,
    });
    const functions = resolveFunctionEnvironments(app.templates, bindTemplates(app.templates).functions, resources);
    const of = (entry: string): FunctionEnvironment['variables'] => functions.find((f) => f.function.entry === entry)!.variables;

    expect(of('functions/pipeline/start-pipeline.ts')).toMatchObject({ [ENV.stateMachineArn]: STATE_MACHINE_ARN, [ENV.tableName]: 'vnt-local' });
    expect(of('functions/pipeline/normalize.ts')).toMatchObject({ [ENV.progressEndpoint]: PROGRESS_ENDPOINT, [ENV.workBucket]: 'vnt-local-work' });
    expect(of('functions/api/create-upload.ts')).toMatchObject({ [ENV.uploadsBucket]: 'vnt-local-uploads', [ENV.stage]: 'dev' });
    // Secrets Manager is not emulated: the one function that reads the secret gets its value, no other does.
    expect(of('functions/api/list-jobs.ts')).toMatchObject({ [ENV.cursorSecret]: CURSOR_SECRET });
    expect(of('functions/api/list-jobs.ts')).not.toHaveProperty(ENV.cursorSecretArn);
    expect(functions.filter((f) => ENV.cursorSecret in f.variables).map((f) => f.function.entry)).toEqual(['functions/api/list-jobs.ts']);
    // /health reports the version the app was synthesised with.
    expect(of('functions/api/health.ts')[ENV.serviceVersion]).toMatch(/^\d+\.\d+\.\d+-local$/);
    const local = {
      runtime: localRuntimeEnvironment({ s3Endpoint: 'http://s3', sqsEndpoint: 'http://sqs', dynamoDbEndpoint: 'http://ddb', sfnEndpoint: 'http://sfn', credentials: { accessKeyId: LOCAL.accessKeyId, secretAccessKey: 'test-secret' } }),
      processWide: processWideEnvironment(),
    };
    expect(() => handlerEnvironments(functions, local)).not.toThrow();
  });

  it('refuses to start when a template gives a variable another value than the other functions’ templates', async () => {
    const changed = withEnvironment('functions/pipeline/complete.ts', (variables) => {
      variables[ENV.stage] = 'prod';
    });

    await expect(startPipelineOf(changed, 'different')).rejects.toThrow(/the templates give STAGE different values \(.*"dev"; PipelineCompleteFunction\w* "prod"\)/);
  });

  it('refuses to start when a template references a resource the local stack does not stand in for', async () => {
    const changed = withEnvironment('functions/pipeline/complete.ts', (variables) => {
      variables.LOGS_BUCKET = { 'Fn::ImportValue': 'VoiceNoteTranslator-dev-Stateful:AccessLogsBucketName' };
    });

    await expect(startPipelineOf(changed, 'unresolved')).rejects.toThrow(/functions\/pipeline\/complete\.ts .*LOGS_BUCKET .*has no local value/);
  });

  // Last: the failed import stays in this process's module cache.
  it('refuses to start when a handler needs a variable its template does not set', async () => {
    const changed = withEnvironment('functions/pipeline/fast-transcribe.ts', (variables) => {
      delete variables[ENV.workBucket];
    });

    await expect(startPipelineOf(changed, 'missing')).rejects.toThrow(
      /functions\/pipeline\/fast-transcribe\.ts \(PipelineFastTranscribeFunction\w*\) fails to load with its template's environment .*Missing required environment variable WORK_BUCKET/,
    );
  });
});
