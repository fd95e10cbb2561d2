/**
 * The job sweeper's handler through the real middleware chain, over the real repositories on dynalite (the
 * in-flight index, the conditional writes, the quota meter) with Step Functions mocked: every in-flight state
 * × within/past the processing ceiling × what DescribeExecution says.
 */
import './pipeline-env';
import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../functions/jobs/dynamo-job-repository';
import { type InFlightStatus, type Job, type JobStatus, UPLOAD_EXPIRED_ERROR } from '../../../functions/jobs/job';
import { executionArnOf } from '../../../functions/pipeline/common/step-functions';
import { executionInputOf } from '../../../functions/pipeline/common/task-schemas';
import { DynamoUsageMeter } from '../../../functions/usage/dynamo-usage-meter';
import { UsageService } from '../../../functions/usage/usage-service';
import { utcDay } from '../../../functions/usage/utc-day';
import { processingCeilingSeconds, UPLOAD } from '../../../lib/config/limits';
import { lambdaContext } from '../../events/lambda-context';
import { type DynaliteTable, startDynaliteTable } from '../../helpers/dynalite-table';
import { job as jobFixture } from '../jobs/fixtures';
import { PIPELINE_TEST_ENV } from './pipeline-env';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = PIPELINE_TEST_ENV.STATE_MACHINE_ARN;
const MINUTE = 60_000;
const CEILING_MS = processingCeilingSeconds('free') * 1000;

let table: DynaliteTable;
let jobs: DynamoJobRepository;
let meter: DynamoUsageMeter;
let sweep: () => Promise<{ examined: number; restarted: number; failed: Record<string, number>; complete: boolean }>;
/** DynamoDB operations the handler's own client sent, by command name. */
const sent: string[] = [];
const queriedIndexes: (string | undefined)[] = [];

beforeAll(async () => {
  table = await startDynaliteTable(PIPELINE_TEST_ENV.TABLE_NAME);
  const { protocol, hostname, port } = await table.documents.config.endpoint!();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `${protocol}//${hostname}:${port}`;
  const options = { client: table.documents, tableName: table.tableName };
  jobs = new DynamoJobRepository(options);
  meter = new DynamoUsageMeter(options);
  // Imported now: the handler builds its clients at import, from the environment (as on a cold start).
  const [{ handler }, { dynamoDocumentClient }] = await Promise.all([
    import('../../../functions/pipeline/sweep-jobs'),
    import('../../../functions/shared/clients'),
  ]);
  dynamoDocumentClient().middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName!);
      if (context.commandName === 'QueryCommand') queriedIndexes.push((args.input as { IndexName?: string }).IndexName);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  sweep = () => handler(event, lambdaContext({ getRemainingTimeInMillis: () => 120_000 })) as ReturnType<typeof sweep>;
});

afterAll(() => table?.stop());

beforeEach(() => {
  sfn.reset();
  sent.length = 0;
  queriedIndexes.length = 0;
});

/** A job in `status`, created `ageMs` ago and metered like POST /uploads meters it; on its own key. */
async function givenJob(status: JobStatus, ageMs: number, overrides: Partial<Job> = {}): Promise<Job> {
  const ownerId = `key-${randomUUID().slice(0, 8)}`;
  const createdAt = new Date(Date.now() - ageMs).toISOString();
  const stored = jobFixture({
    jobId: randomUUID(),
    ownerId,
    status,
    createdAt,
    updatedAt: createdAt,
    targetLanguage: 'es',
    expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400,
    ...overrides,
  });
  await new UsageService(meter).consume(ownerId, stored.tier, new Date(createdAt));
  await jobs.create({ ...stored, uploadKey: `uploads/${ownerId}/${stored.jobId}` });
  return (await jobs.get(stored.jobId))!;
}

/** What DescribeExecution answers for `job`'s execution. */
function givenExecution(job: Job, status: 'MISSING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'): void {
  const executionArn = executionArnOf(STATE_MACHINE, job.jobId);
  if (status === 'MISSING') {
    sfn.on(DescribeExecutionCommand, { executionArn }).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
  } else {
    sfn.on(DescribeExecutionCommand, { executionArn }).resolves({ executionArn, status, stateMachineArn: STATE_MACHINE, startDate: new Date() });
  }
}

const used = (job: Job) => meter.read(job.ownerId, utcDay(new Date(job.createdAt)));
const startsOf = (job: Job) => sfn.commandCalls(StartExecutionCommand).filter((call) => call.args[0].input.name === job.jobId);
const stopsOf = (job: Job) =>
  sfn.commandCalls(StopExecutionCommand).filter((call) => call.args[0].input.executionArn === executionArnOf(STATE_MACHINE, job.jobId));

const STAGES = ['queued', 'normalizing', 'transcribing', 'translating'] as const satisfies readonly InFlightStatus[];

describe('sweep-jobs: jobs whose execution is gone', () => {
  beforeEach(() => {
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: executionArnOf(STATE_MACHINE, input.name), startDate: new Date() }));
  });

  it.each(STAGES)('starts a %s job again within its ceiling, from its upload, with the input every start of it sends', async (status) => {
    const stuck = await givenJob(status, 5 * MINUTE);
    givenExecution(stuck, 'MISSING');

    const report = await sweep();

    expect(report.restarted).toBeGreaterThanOrEqual(1);
    const [start] = startsOf(stuck);
    expect(start?.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: stuck.jobId,
      input: JSON.stringify(executionInputOf(stuck, PIPELINE_TEST_ENV.UPLOADS_BUCKET)),
    });
    // Back to queued (the new execution moves it on); its quota unit is neither refunded nor taken again.
    expect(await jobs.get(stuck.jobId)).toMatchObject({ status: 'queued' });
    expect(await used(stuck)).toBe(1);
  });

  it.each(STAGES)('fails a %s job past its ceiling PIPELINE_TIMEOUT and gives its unit back, instead of starting it', async (status) => {
    const stuck = await givenJob(status, CEILING_MS + MINUTE);
    givenExecution(stuck, 'MISSING');

    await sweep();

    expect(startsOf(stuck)).toHaveLength(0);
    expect(await jobs.get(stuck.jobId)).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_TIMEOUT' } });
    expect(await used(stuck)).toBe(0);
  });
});

describe('sweep-jobs: jobs whose execution runs', () => {
  it.each(STAGES)('leaves a %s job whose execution runs within the ceiling alone', async (status) => {
    const moving = await givenJob(status, 10 * MINUTE);
    givenExecution(moving, 'RUNNING');

    await sweep();

    expect(await jobs.get(moving.jobId)).toMatchObject({ status });
    expect(startsOf(moving)).toHaveLength(0);
    expect(stopsOf(moving)).toHaveLength(0);
  });

  it.each(STAGES)('ends a %s job still running past its ceiling PIPELINE_TIMEOUT, then stops its execution', async (status) => {
    const stuck = await givenJob(status, CEILING_MS + MINUTE);
    givenExecution(stuck, 'RUNNING');
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    await sweep();

    expect(await jobs.get(stuck.jobId)).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_TIMEOUT' } });
    expect(stopsOf(stuck)).toHaveLength(1);
    expect(await used(stuck)).toBe(0);
  });
});

describe('sweep-jobs: jobs whose execution ended without ending them (a lost watchdog event)', () => {
  it.each([
    ['TIMED_OUT', 'PIPELINE_TIMEOUT'],
    ['ABORTED', 'INTERNAL_ERROR'],
    ['FAILED', 'INTERNAL_ERROR'],
    ['SUCCEEDED', 'INTERNAL_ERROR'],
  ] as const)('fails the job as the watchdog would have for an execution %s: %s, refunded', async (execution, code) => {
    const stuck = await givenJob('transcribing', 20 * MINUTE);
    givenExecution(stuck, execution);

    await sweep();

    expect(await jobs.get(stuck.jobId)).toMatchObject({ status: 'failed', error: { code } });
    expect(startsOf(stuck)).toHaveLength(0);
    expect(await used(stuck)).toBe(0);
  });
});

describe('sweep-jobs: uploads that never came', () => {
  it('persists a job awaiting its upload past the expiry as failed UPLOAD_EXPIRED, refunded once, without asking Step Functions', async () => {
    const abandoned = await givenJob('awaiting_upload', UPLOAD.awaitingUploadExpirySeconds * 1000 + MINUTE);

    const first = await sweep();
    const second = await sweep();

    expect(await jobs.get(abandoned.jobId)).toMatchObject({ status: 'failed', error: UPLOAD_EXPIRED_ERROR });
    expect(first.failed.UPLOAD_EXPIRED).toBeGreaterThanOrEqual(1);
    expect(second.failed.UPLOAD_EXPIRED ?? 0).toBe(0);
    expect(await used(abandoned)).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand).filter((c) => c.args[0].input.executionArn?.endsWith(abandoned.jobId))).toHaveLength(0);
  });

  it('leaves a job whose upload may still come', async () => {
    const waiting = await givenJob('awaiting_upload', UPLOAD.presignedPostSeconds * 1000);

    await sweep();

    expect(await jobs.get(waiting.jobId)).toMatchObject({ status: 'awaiting_upload' });
    expect(await used(waiting)).toBe(1);
  });
});

describe('sweep-jobs: a run', () => {
  it('finds jobs with Queries on the in-flight index, never a Scan', async () => {
    await givenJob('transcribing', CEILING_MS + MINUTE).then((stuck) => givenExecution(stuck, 'MISSING'));

    await sweep();

    expect(sent).not.toContain('ScanCommand');
    // One Query per in-flight status on GSI2 (progress pushes Query the job's own partition, without an index).
    expect(queriedIndexes.filter((index) => index === 'gsi2')).toHaveLength(5);
    expect(queriedIndexes.filter((index) => index !== undefined && index !== 'gsi2')).toEqual([]);
  });

  it('is idempotent: a second run finds nothing left to do, and ended jobs are out of the index', async () => {
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: executionArnOf(STATE_MACHINE, input.name), startDate: new Date() }));
    const restarted = await givenJob('translating', 3 * MINUTE);
    const timedOut = await givenJob('normalizing', CEILING_MS + MINUTE);
    givenExecution(restarted, 'MISSING');
    givenExecution(timedOut, 'MISSING');
    await sweep();
    // The restarted job's new execution now runs.
    givenExecution(restarted, 'RUNNING');
    sfn.resetHistory();

    const again = await sweep();

    expect(again).toMatchObject({ restarted: 0, failed: {}, complete: true });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(await jobs.get(timedOut.jobId)).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_TIMEOUT' } });
    expect(await used(timedOut)).toBe(0);
    const inFlight: string[] = [];
    for await (const id of jobs.inFlightJobIds('normalizing')) inFlight.push(id);
    expect(inFlight).not.toContain(timedOut.jobId);
  });
});
