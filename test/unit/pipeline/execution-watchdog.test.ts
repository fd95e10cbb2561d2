import './pipeline-env';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/pipeline/execution-watchdog';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, quotaRefunds, resetMocks, statsUpdates } from './pipeline-mocks';

function statusChange(status: string, name = JOB_ID) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-03-14T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:states:us-east-1:123456789012:execution:p:${name}`],
    detail: {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:p:${name}`,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:p',
      name,
      status,
      startDate: 1,
      stopDate: 2,
      input: '{}',
      output: null,
    },
  };
}
const watch = (status: string, name?: string) => handler(statusChange(status, name), lambdaContext());

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'transcribing' }));
  ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
});

describe('execution-watchdog', () => {
  it.each([
    ['TIMED_OUT', 'PIPELINE_TIMEOUT'],
    ['FAILED', 'INTERNAL_ERROR'],
    ['ABORTED', 'INTERNAL_ERROR'],
  ])('fails a job left in flight by an execution that ended %s with %s', async (status, code) => {
    await expect(watch(status)).resolves.toEqual({ failed: true });

    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'failed', error: { code, message: expect.any(String) } })]);
    expect(statsUpdates()).toHaveLength(1);
    // Our failure, not the note's: the unit is given back.
    expect(quotaRefunds()).toHaveLength(1);
  });

  it('does nothing when MarkFailed already ended the job', async () => {
    jobWritesConflict();

    await expect(watch('FAILED')).resolves.toEqual({ failed: false });
    expect(statsUpdates()).toHaveLength(0);
    expect(quotaRefunds()).toHaveLength(0);
  });

  it.each([
    ['a successful execution', 'SUCCEEDED', JOB_ID],
    ['an execution not named after a job', 'FAILED', 'manual-test-run'],
  ])('ignores %s', async (_, status, name) => {
    await expect(watch(status, name)).resolves.toEqual({ failed: false });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('refuses an event that is not an execution status change', async () => {
    await expect(handler({ source: 'aws.s3' }, lambdaContext())).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });
});
