import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { tracer } from '../../shared/powertools';
import type { ExecutionLookup, ExecutionStatus } from './execution-status';
import type { JobExecutions } from './job-sweeper';
import { executionInputOf } from './task-schemas';

export type ExecutionStartOutcome = { readonly status: 'started'; readonly executionArn: string } | { readonly status: 'duplicate' };
/** `closed`: the waiting task is gone (timed out, retried with a new token, execution ended): nothing to do. */
export type CallbackOutcome = 'delivered' | 'closed';

/**
 * The ARN of the execution named `name` of a state machine: Step Functions derives it from the state machine's
 * ARN (`…:stateMachine:<machine>` → `…:execution:<machine>:<name>`), so a job's execution is found by its id.
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const marker = ':stateMachine:';
  const at = stateMachineArn.indexOf(marker);
  if (at < 0) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  return `${stateMachineArn.slice(0, at)}:execution:${stateMachineArn.slice(at + marker.length)}:${name}`;
}

/** Step Functions calls the pipeline makes outside the state machine, with their expected failures mapped. */
export class StepFunctionsGateway {
  constructor(private readonly client: SFNClient) {}

  /**
   * Starts an execution named after the job. The same name and input while it runs returns the same
   * execution; `ExecutionAlreadyExists` (name reused after it ended, or with another input) means this job
   * already has its execution: a duplicate S3 event, not an error.
   */
  async startExecution(stateMachineArn: string, name: string, input: unknown): Promise<ExecutionStartOutcome> {
    try {
      const { executionArn } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { status: 'started', executionArn: executionArn ?? '' };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        return { status: 'duplicate' };
      }
      throw error;
    }
  }

  /** The status of the execution, or `MISSING` when it does not exist (never started, or its history expired). */
  async describeExecution(executionArn: string): Promise<ExecutionLookup> {
    try {
      const { status } = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      // The SDK's ExecutionStatus is the same list; a status it adds later is treated like a running one.
      return (status as ExecutionStatus | undefined) ?? 'MISSING';
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist') return 'MISSING';
      throw error;
    }
  }

  /** StopExecution: the execution ends ABORTED (a no-op on one that already ended). */
  async stopExecution(executionArn: string, cause: string): Promise<void> {
    await this.client.send(new StopExecutionCommand({ executionArn, error: 'JOB_SWEEPER', cause }));
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<CallbackOutcome> {
    return this.callback(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  /** `error` is the code Catch/MarkFailed see as `Error`; `cause` the human message. */
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<CallbackOutcome> {
    return this.callback(() =>
      this.client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) })),
    );
  }

  private async callback(send: () => Promise<unknown>): Promise<CallbackOutcome> {
    try {
      await send();
      return 'delivered';
    } catch (error) {
      if (isClosedTaskError(error)) return 'closed';
      throw error;
    }
  }
}

function isClosedTaskError(error: unknown): boolean {
  return (
    error instanceof TaskTimedOut ||
    error instanceof TaskDoesNotExist ||
    error instanceof InvalidToken ||
    ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((error as Error).name)
  );
}

/** The job sweeper's view of the pipeline's executions: each job's is the one named after it. */
export function jobExecutionsOf(gateway: StepFunctionsGateway, stateMachineArn: string, uploadsBucket: string): JobExecutions {
  return {
    statusOf: (jobId) => gateway.describeExecution(executionArnOf(stateMachineArn, jobId)),
    // A duplicate means someone (the starter) started it meanwhile, with the same input: just as good.
    start: async (job) => void (await gateway.startExecution(stateMachineArn, job.jobId, executionInputOf(job, uploadsBucket))),
    stop: (jobId, cause) => gateway.stopExecution(executionArnOf(stateMachineArn, jobId), cause),
  };
}

let client: SFNClient | undefined;

/** One traced client per container; the endpoint comes from AWS_ENDPOINT_URL_SFN in the local stack. */
export function stepFunctionsFromEnv(): StepFunctionsGateway {
  client ??= tracer.captureAWSv3Client(new SFNClient({}));
  return new StepFunctionsGateway(client);
}
