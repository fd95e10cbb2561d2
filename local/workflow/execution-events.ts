import { randomUUID } from 'node:crypto';
import type { ExecutionDescription } from './local-state-machine';

/**
 * The EventBridge "Step Functions Execution Status Change" event for an ended execution, as AWS emits it, so
 * the local stack can feed the unmodified watchdog handler from `onExecutionEnd`.
 */
export function executionStatusChangeEvent(execution: ExecutionDescription, region = 'us-east-1', account = '000000000000') {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: (execution.stopDate ?? new Date()).toISOString(),
    region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
      input: execution.input,
      output: execution.output ?? null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  } as const;
}
