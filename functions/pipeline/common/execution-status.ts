import type { JobError } from '../../jobs/job';
import { INTERNAL_ERROR_MESSAGE, PIPELINE_TIMEOUT_ERROR } from './failure';

/** A Step Functions execution's statuses (DescribeExecution, and EventBridge's status-change events). */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
/** A job's execution (named after the job) looked up: its status, or MISSING when there is none. */
export type ExecutionLookup = ExecutionStatus | 'MISSING';

/** Statuses of an execution that has ended (PENDING_REDRIVE is a failed execution about to run again). */
const ENDED_EXECUTION_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const satisfies readonly ExecutionStatus[];
export type EndedExecutionStatus = (typeof ENDED_EXECUTION_STATUSES)[number];

/** Whether the execution is over; any other status (one the API adds later included) counts as running. */
export function hasEnded(status: string): status is EndedExecutionStatus {
  return (ENDED_EXECUTION_STATUSES as readonly string[]).includes(status);
}

export const ABORTED_MESSAGE = 'Processing the note was stopped by an operator. Please upload it again.';

/**
 * What a job still in flight ends with when its execution has ended (the watchdog on the status-change event,
 * the job sweeper on what DescribeExecution says): PIPELINE_TIMEOUT for the execution timeout, INTERNAL_ERROR
 * otherwise (an execution that failed or succeeded without finishing its job is a fault of ours).
 */
export function jobErrorForEndedExecution(status: EndedExecutionStatus): JobError {
  switch (status) {
    case 'TIMED_OUT':
      return PIPELINE_TIMEOUT_ERROR;
    case 'ABORTED':
      return { code: 'INTERNAL_ERROR', message: ABORTED_MESSAGE };
    case 'FAILED':
    case 'SUCCEEDED':
      return { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
  }
}
