import './pipeline-env';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/pipeline/mark-failed';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, OWNER, quotaRefunds, resetMocks, statsUpdates } from './pipeline-mocks';

const markFailed = (error: { Error?: string | null; Cause?: string | null }) => handler({ jobId: JOB_ID, error }, lambdaContext());
/** The Cause Step Functions gives for an error thrown by a Lambda function. */
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at normalize (/var/task/index.mjs:1:2)'] });

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'normalizing' }));
  ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
});

describe('mark-failed', () => {
  it('keeps a pipeline failure code with the human message from the Lambda error', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    const result = await markFailed({ Error: 'SILENT_AUDIO', Cause: lambdaCause('SILENT_AUDIO', 'The recording is silent.') });

    expect(result).toEqual({ code: 'SILENT_AUDIO', message: 'The recording is silent.', recorded: true });
    expect(jobUpdates()).toEqual([
      expect.objectContaining({ status: 'failed', error: { code: 'SILENT_AUDIO', message: 'The recording is silent.' } }),
    ]);
    expect(statsUpdates()[0]?.args[0].input.ExpressionAttributeNames).toMatchObject({ '#c1': 'failed:SILENT_AUDIO' });
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.notesFailed, 'Count', 1);
  });

  it('keeps the quota unit of a note that was the problem, and refunds it when we were (on the day it was metered)', async () => {
    await markFailed({ Error: 'SILENT_AUDIO', Cause: 'silent' });
    expect(quotaRefunds()).toEqual([]);

    await markFailed({ Error: 'TypeError', Cause: 'bug' });
    expect(quotaRefunds()).toEqual([keys.usage(OWNER, job().createdAt.slice(0, 10))]);
  });

  it('takes the plain Cause of a SendTaskFailure', async () => {
    await expect(markFailed({ Error: 'TRANSCRIPTION_FAILED', Cause: 'Transcription failed: bad media' })).resolves.toMatchObject({
      code: 'TRANSCRIPTION_FAILED',
      message: 'Transcription failed: bad media',
    });
  });

  it.each([
    ['an AWS error', 'AccessDenied', lambdaCause('AccessDenied', 'User arn:aws:iam::1:role/x is not authorized')],
    ['a bug', 'TypeError', lambdaCause('TypeError', "Cannot read properties of undefined (reading 'x')")],
    ['a task input our own state machine got wrong', 'VALIDATION_ERROR', lambdaCause('VALIDATION_ERROR', 'jobId: invalid')],
    ['a stopped job', 'JOB_NOT_ACTIVE', lambdaCause('JOB_NOT_ACTIVE', 'Job is no longer queued')],
    ['no error at all', null, null],
  ])('turns %s into INTERNAL_ERROR without leaking internals', async (_, error, cause) => {
    const result = await markFailed({ Error: error, Cause: cause });

    expect(result.code).toBe('INTERNAL_ERROR');
    expect(result.message).toMatch(/internal error/i);
    expect(result.message).not.toMatch(/arn:|TypeError|jobId|queued/);
  });

  it.each(['States.Timeout', 'Sandbox.Timedout'])('turns %s into PIPELINE_TIMEOUT', async (error) => {
    await expect(markFailed({ Error: error, Cause: 'Task timed out' })).resolves.toMatchObject({ code: 'PIPELINE_TIMEOUT' });
  });

  it.each([
    ['ENGINE_THROTTLED', 'SERVICE_BUSY'],
    ['ENGINE_UNAVAILABLE', 'SERVICE_BUSY'],
    ['TRANSCRIPTION_PENDING', 'PIPELINE_TIMEOUT'],
  ])('turns %s whose retries ran out into %s', async (error, code) => {
    await expect(markFailed({ Error: error, Cause: lambdaCause(error, 'Rate exceeded') })).resolves.toMatchObject({ code });
  });

  it('leaves an already terminal job alone and does not count it twice', async () => {
    jobWritesConflict();
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(markFailed({ Error: 'NO_SPEECH', Cause: 'No speech' })).resolves.toMatchObject({ code: 'NO_SPEECH', recorded: false });
    expect(statsUpdates()).toHaveLength(0);
    expect(addMetric).not.toHaveBeenCalled();
    expect(quotaRefunds()).toEqual([]);
  });

  it('lets a failed write through, so the execution fails and the watchdog takes over', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Internal'), { name: 'InternalServerError' }));

    await expect(markFailed({ Error: 'NO_SPEECH', Cause: 'x' })).rejects.toMatchObject({ name: 'InternalServerError' });
  });
});
