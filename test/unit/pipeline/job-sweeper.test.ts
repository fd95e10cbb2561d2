/**
 * JobSweeper's run mechanics with in-memory ports: its time budget, its concurrency bound, and a job that
 * moves while it looks at it. (What it decides for each state is in sweep-jobs.test.ts, over dynalite.)
 */
import './pipeline-env';
import { describe, expect, it, vi } from 'vitest';
import type { InFlightStatus, Job } from '../../../functions/jobs/job';
import { JobNotActiveError } from '../../../functions/jobs/job-lifecycle';
import type { ExecutionLookup } from '../../../functions/pipeline/common/execution-status';
import { type JobExecutions, JobSweeper } from '../../../functions/pipeline/common/job-sweeper';
import { executionArnOf } from '../../../functions/pipeline/common/step-functions';
import { job } from '../jobs/fixtures';

const NOW = new Date('2026-03-14T12:00:00.000Z');

function sweeperOver(stored: Job[], execution: ExecutionLookup, overrides: Partial<JobExecutions> = {}, concurrency?: number) {
  const byId = new Map(stored.map((j) => [j.jobId, j]));
  const executions: JobExecutions = {
    statusOf: vi.fn(async () => execution),
    start: vi.fn(async () => undefined),
    stop: vi.fn(async () => undefined),
    ...overrides,
  };
  const lifecycle = {
    get: vi.fn(async (jobId: string) => byId.get(jobId)),
    restart: vi.fn(async (jobId: string) => ({ ...byId.get(jobId)!, status: 'queued' as const })),
    finish: vi.fn(async (jobId: string) => ({ status: 'finished' as const, job: byId.get(jobId)! })),
  };
  const index = {
    async *inFlightJobIds(status: InFlightStatus) {
      for (const j of stored) if (j.status === status) yield j.jobId;
    },
  };
  return { sweeper: new JobSweeper({ index, lifecycle, executions, now: () => NOW, concurrency }), executions, lifecycle };
}

const transcribing = (n: number) =>
  Array.from({ length: n }, (_, i) => job({ jobId: `job-${i}`, status: 'transcribing', createdAt: '2026-03-14T11:50:00.000Z' }));

describe('JobSweeper runs', () => {
  it('stops taking jobs when its time is up, and says the run was incomplete', async () => {
    const { sweeper, executions } = sweeperOver(transcribing(5), 'MISSING');
    let budget = 2;

    const report = await sweeper.sweep(() => budget-- > 0);

    expect(report).toMatchObject({ examined: 2, restarted: 2, complete: false });
    expect(executions.start).toHaveBeenCalledTimes(2);
  });

  it('never looks at more jobs at once than its concurrency', async () => {
    let running = 0;
    let most = 0;
    const { sweeper } = sweeperOver(transcribing(12), 'RUNNING', {
      statusOf: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return 'RUNNING';
      },
    }, 3);

    const report = await sweeper.sweep();

    expect(report).toMatchObject({ examined: 12, restarted: 0, complete: true });
    expect(most).toBe(3);
  });

  it('leaves a job that moved while it looked (a late execution moved it on), and starts nothing', async () => {
    const [moved] = transcribing(1);
    const { sweeper, executions, lifecycle } = sweeperOver([moved!], 'MISSING');
    lifecycle.restart.mockRejectedValueOnce(new JobNotActiveError(moved!.jobId, 'queued', 'transcribing'));

    const report = await sweeper.sweep();

    expect(report.restarted).toBe(0);
    expect(executions.start).not.toHaveBeenCalled();
  });

  it('goes on with the other jobs when one cannot be started (the next run tries it again)', async () => {
    const stuck = transcribing(3);
    const start = vi.fn(async (j: Job) => {
      if (j.jobId === 'job-1') throw new Error('ThrottlingException');
    });
    const { sweeper } = sweeperOver(stuck, 'MISSING', { start });

    const report = await sweeper.sweep();

    expect(start).toHaveBeenCalledTimes(3);
    expect(report.restarted).toBe(2);
  });
});

describe('executionArnOf', () => {
  it('derives a job’s execution ARN from the state machine’s, as Step Functions names executions', () => {
    expect(executionArnOf('arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline-AbC', 'job-1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:Pipeline-AbC:job-1',
    );
    expect(() => executionArnOf('arn:aws:lambda:eu-west-1:123456789012:function:f', 'job-1')).toThrow(/state machine/);
  });
});
