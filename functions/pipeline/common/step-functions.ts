import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { tracer } from '../../shared/powertools';

export type ExecutionStartOutcome = { readonly status: 'started'; readonly executionArn: string } | { readonly status: 'duplicate' };
/** `closed`: the waiting task is gone (timed out, retried with a new token, execution ended): nothing to do. */
export type CallbackOutcome = 'delivered' | 'closed';

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

let client: SFNClient | undefined;

/** One traced client per container; the endpoint comes from AWS_ENDPOINT_URL_SFN in the local stack. */
export function stepFunctionsFromEnv(): StepFunctionsGateway {
  client ??= tracer.captureAWSv3Client(new SFNClient({}));
  return new StepFunctionsGateway(client);
}
