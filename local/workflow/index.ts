/**
 * The local workflow (contract 3): the synthesised state machine, run with aws-local-stepfunctions, its
 * Lambda tasks bound to handler modules via `vnt:entry`, with Step Functions' API semantics.
 */
export { executionStatusChangeEvent } from './execution-events';
export { inProcessInvoker, lambdaContextFor, type LambdaInvoker, type LambdaTarget } from './lambda-invoker';
export {
  type ExecutionDescription,
  type ExecutionEndListener,
  type ExecutionHistoryEvent,
  type ExecutionStatus,
  LocalSfnError,
  LocalStateMachine,
  type LocalStateMachineOptions,
} from './local-state-machine';
export { type CfnTemplate, stateMachinesOf, TemplateResolver } from './template-asl';
export type { LocalTiming } from './timing';
