import { randomUUID } from 'node:crypto';
import { type ExecutionDescription, LocalSfnError, type LocalStateMachine } from '../workflow';
import { type SfnOperations, SfnServiceError } from './sfn-endpoint';

/**
 * The Step Functions API actions over the local state machine, in the API's JSON shapes (dates as epoch
 * seconds), with its error codes.
 */
export function sfnOperations(machine: LocalStateMachine): SfnOperations {
  const guarded =
    <T>(action: (request: Record<string, unknown>) => T) =>
    async (request: Record<string, unknown>): Promise<T> => {
      try {
        return action(request);
      } catch (error) {
        if (error instanceof LocalSfnError) throw new SfnServiceError(error.code, error.message);
        throw error;
      }
    };
  const text = (request: Record<string, unknown>, field: string): string => {
    const value = request[field];
    if (typeof value !== 'string' || value === '') {
      throw new SfnServiceError('ValidationException', `1 validation error detected: ${field} must not be null`);
    }
    return value;
  };

  return {
    StartExecution: guarded((request) => {
      const stateMachineArn = text(request, 'stateMachineArn');
      if (stateMachineArn !== machine.arn) {
        throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
      }
      const name = typeof request.name === 'string' ? request.name : randomUUID();
      const input = typeof request.input === 'string' ? request.input : '{}';
      const { executionArn, startDate } = machine.start(name, input);
      return { executionArn, startDate: epochSeconds(startDate) };
    }),
    DescribeExecution: guarded((request) => describe(machine.describe(text(request, 'executionArn')))),
    StopExecution: guarded((request) => {
      machine.stop(text(request, 'executionArn'));
      return { stopDate: epochSeconds(new Date()) };
    }),
    SendTaskSuccess: guarded((request) => {
      machine.sendTaskSuccess(text(request, 'taskToken'), text(request, 'output'));
      return {};
    }),
    SendTaskFailure: guarded((request) => {
      const optional = (field: string) => (typeof request[field] === 'string' ? (request[field] as string) : undefined);
      machine.sendTaskFailure(text(request, 'taskToken'), optional('error'), optional('cause'));
      return {};
    }),
    SendTaskHeartbeat: guarded((request) => {
      machine.sendTaskHeartbeat(text(request, 'taskToken'));
      return {};
    }),
  };
}

function describe(execution: ExecutionDescription) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate && { stopDate: epochSeconds(execution.stopDate) }),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined && { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error !== undefined && { error: execution.error }),
    ...(execution.cause !== undefined && { cause: execution.cause }),
  };
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
