import { randomBytes } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { inProcessInvoker, type LambdaInvoker, type LambdaTarget, lambdaTargetsOf } from './lambda-invoker';
import { type CfnTemplate, type FakeDeployment, stateMachinesOf, TemplateResolver } from './template-asl';
import { applyTiming, type LocalTiming, taskStates } from './timing';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** DescribeExecution's answer (dates as Date; the HTTP endpoint turns them into epoch seconds). */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** JSON text, as StartExecution received it. */
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** What happened in an execution, for tests and the local stack's logs. */
export interface ExecutionHistoryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly stateName?: string;
  readonly error?: string;
  readonly cause?: string;
}

export type ExecutionEndListener = (execution: ExecutionDescription) => void | Promise<void>;

export interface LocalStateMachineOptions extends FakeDeployment {
  /** Which state machine of the template. @default - the only one (an error if there are several) */
  readonly stateMachineLogicalId?: string;
  /** How Lambda tasks run. @default inProcessInvoker() - handler modules imported from their `vnt:entry` */
  readonly invoker?: LambdaInvoker;
  /** Shorter waits, retry intervals and timeouts (tests). @default - the definition's own */
  readonly timing?: LocalTiming;
  /** Called once per execution when it ends, whatever the status (the local watchdog hooks in here). */
  readonly onExecutionEnd?: ExecutionEndListener;
  /**
   * Debugging only: Task states whose task never runs, so every execution waits before them until it is
   * stopped (a job then stays in the stage it reached; the crash tests hold jobs in each stage this way).
   * @default - none
   */
  readonly holdBeforeStates?: readonly string[];
}

/** The Step Functions API errors the local state machine raises; `name` is the API's error code. */
export class LocalSfnError extends Error {
  constructor(
    readonly code:
      | 'ExecutionAlreadyExists'
      | 'ExecutionDoesNotExist'
      | 'InvalidName'
      | 'InvalidExecutionInput'
      | 'InvalidOutput'
      | 'InvalidToken'
      | 'TaskDoesNotExist'
      | 'TaskTimedOut',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** An error a task raises: `name` is what Retry/Catch match (Error), `message` the Cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Execution {
  description: ExecutionDescription;
  readonly history: ExecutionHistoryEvent[];
  readonly ended: Promise<ExecutionDescription>;
  abort?: () => void;
}

interface WaitingTask {
  readonly executionArn: string;
  readonly stateName: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer?: NodeJS.Timeout;
}

/** What `$$.Task.Token` resolves to; the binding swaps it for a fresh token per task attempt. */
const TASK_TOKEN_PLACEHOLDER = '__local_task_token__';
const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
/** A held state's timeout: a day, far past any test or debugging session (and past the execution's own). */
const HELD_STATE_TIMEOUT_SECONDS = 86_400;

/**
 * The synthesised state machine run locally with aws-local-stepfunctions, its Lambda tasks bound to the
 * handler modules named by the functions' `vnt:entry` template metadata, with Step Functions' API semantics:
 * executions named and idempotent like StartExecution, DescribeExecution, and task tokens for
 * `.waitForTaskToken` states (which the library does not implement: tokens are minted here, injected where
 * the Parameters use `$$.Task.Token`, and honour the state's TimeoutSeconds → States.Timeout).
 */
export class LocalStateMachine {
  readonly arn: string;
  readonly logicalId: string;
  /** The resolved ASL as synthesised (before timing overrides). */
  readonly definition: StateMachineDefinition;
  private readonly runnable: StateMachine;
  private readonly runnableDefinition: StateMachineDefinition;
  private readonly targets: Map<string, LambdaTarget>;
  private readonly invoker: LambdaInvoker;
  private readonly timing: LocalTiming;
  private readonly region: string;
  private readonly account: string;
  private readonly executions = new Map<string, Execution>();
  private readonly waiting = new Map<string, WaitingTask>();
  /** Tokens whose task is over, so a late callback gets TaskTimedOut like in AWS. */
  private readonly closedTokens = new Set<string>();
  private readonly endListeners: ExecutionEndListener[] = [];
  private readonly held: ReadonlySet<string>;

  static fromTemplate(template: CfnTemplate, options: LocalStateMachineOptions = {}): LocalStateMachine {
    return new LocalStateMachine(template, options);
  }

  private constructor(template: CfnTemplate, options: LocalStateMachineOptions) {
    const resolver = new TemplateResolver(template, options);
    this.region = resolver.region;
    this.account = resolver.account;
    const machines = stateMachinesOf(template, options);
    const machine =
      options.stateMachineLogicalId === undefined
        ? machines.length === 1
          ? machines[0]
          : undefined
        : machines.find((m) => m.logicalId === options.stateMachineLogicalId);
    if (machine === undefined) {
      throw new Error(
        `Cannot choose a state machine: ${options.stateMachineLogicalId ?? '(none given)'} among [${machines.map((m) => m.logicalId).join(', ')}]`,
      );
    }
    this.arn = machine.arn;
    this.logicalId = machine.logicalId;
    this.definition = machine.definition;
    // Validate what was synthesised; the timing-adjusted copy may use fractional seconds the validator refuses.
    new StateMachine(this.definition, { validationOptions: { checkArn: true, checkPaths: true } });
    const tasks = taskStates(this.definition).map(([name]) => name);
    for (const name of options.holdBeforeStates ?? []) {
      if (!tasks.includes(name)) throw new Error(`Cannot hold executions before ${name}: not a Task state (${tasks.join(', ')})`);
    }
    this.held = new Set(options.holdBeforeStates);
    this.timing = options.timing ?? {};
    // A held state waits until its execution is stopped (or times out as a whole), not for its own timeout.
    const holding = Object.fromEntries([...this.held].map((name) => [name, HELD_STATE_TIMEOUT_SECONDS]));
    this.runnableDefinition = applyTiming(this.definition, {
      ...this.timing,
      stateTimeoutSeconds: { ...this.timing.stateTimeoutSeconds, ...holding },
    });
    this.runnable = new StateMachine(this.runnableDefinition, { validationOptions: { noValidate: true } });
    this.targets = lambdaTargetsOf(template, (id) => resolver.arnOf(id));
    this.invoker = options.invoker ?? inProcessInvoker();
    if (options.onExecutionEnd) this.endListeners.push(options.onExecutionEnd);
    // Fail at construction, not mid-execution, if a task cannot be bound.
    for (const [name, state] of taskStates(this.definition)) this.bindingFor(name, state.Resource, state.Parameters);
  }

  /** Adds an end-of-execution listener; returns its removal. */
  onExecutionEnd(listener: ExecutionEndListener): () => void {
    this.endListeners.push(listener);
    return () => {
      const index = this.endListeners.indexOf(listener);
      if (index >= 0) this.endListeners.splice(index, 1);
    };
  }

  /**
   * StartExecution: the same name and input while that execution runs returns it again; a name already
   * used (running with another input, or ended) is ExecutionAlreadyExists.
   */
  start(name: string, input: unknown = {}): { readonly executionArn: string; readonly startDate: Date } {
    if (!NAME_PATTERN.test(name)) throw new LocalSfnError('InvalidName', `Invalid execution name: ${name}`);
    const inputText = typeof input === 'string' ? input : JSON.stringify(input);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch {
      throw new LocalSfnError('InvalidExecutionInput', 'Execution input is not valid JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.account}:execution:${this.logicalId}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      const { status, input: previousInput, startDate } = existing.description;
      if (status === 'RUNNING' && previousInput === inputText) return { executionArn, startDate };
      throw new LocalSfnError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }

    const startDate = new Date();
    let settle!: (description: ExecutionDescription) => void;
    const execution: Execution = {
      description: { executionArn, stateMachineArn: this.arn, name, status: 'RUNNING', startDate, input: inputText },
      history: [],
      ended: new Promise((resolve) => (settle = resolve)),
    };
    this.executions.set(executionArn, execution);

    const run = this.runnable.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(executionArn) as NonNullable<
          NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
        >,
        ...(this.timing.waitTimeOverrides ? { waitTimeOverrides: { ...this.timing.waitTimeOverrides } } : {}),
        ...(this.timing.retryIntervalOverrides ? { retryIntervalOverrides: { ...this.timing.retryIntervalOverrides } } : {}),
      },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${this.account}:role/${this.logicalId}Role` },
        StateMachine: { Id: this.arn, Name: this.logicalId },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    } satisfies RunOptions);
    execution.abort = run.abort;
    void this.recordHistory(run.eventLogs, execution.history);
    run.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }, settle),
      (error: unknown) => this.finish(execution, endOf(error), settle),
    );
    return { executionArn, startDate };
  }

  describe(executionArn: string): ExecutionDescription {
    return this.execution(executionArn).description;
  }

  history(executionArn: string): readonly ExecutionHistoryEvent[] {
    return this.execution(executionArn).history;
  }

  /** Every execution started so far, oldest first. */
  list(): ExecutionDescription[] {
    return [...this.executions.values()].map((e) => e.description);
  }

  /** Resolves when the execution has ended and every end listener has run. */
  waitForEnd(executionArn: string): Promise<ExecutionDescription> {
    return this.execution(executionArn).ended;
  }

  /** Resolves when no execution is running (including ones started meanwhile). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.description.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.ended));
    }
  }

  /** StopExecution: the execution ends ABORTED. */
  stop(executionArn: string): void {
    const execution = this.execution(executionArn);
    if (execution.description.status === 'RUNNING') execution.abort?.();
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new LocalSfnError('InvalidOutput', 'Task output is not valid JSON');
    }
    this.takeWaiting(taskToken).resolve(parsed);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.takeWaiting(taskToken).reject(new TaskError(error ?? 'States.TaskFailed', cause ?? ''));
  }

  /** Heartbeats are accepted while the task waits (HeartbeatSeconds is not enforced locally). */
  sendTaskHeartbeat(taskToken: string): void {
    this.checkToken(taskToken);
  }

  private execution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (execution === undefined) throw new LocalSfnError('ExecutionDoesNotExist', `Execution does not exist: '${executionArn}'`);
    return execution;
  }

  private checkToken(taskToken: string): WaitingTask {
    const waiting = this.waiting.get(taskToken);
    if (waiting !== undefined) return waiting;
    if (this.closedTokens.has(taskToken)) throw new LocalSfnError('TaskTimedOut', 'Task Timed Out');
    throw new LocalSfnError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  private takeWaiting(taskToken: string): WaitingTask {
    const waiting = this.checkToken(taskToken);
    this.closeToken(taskToken);
    return waiting;
  }

  private closeToken(taskToken: string): void {
    const waiting = this.waiting.get(taskToken);
    if (waiting?.timer) clearTimeout(waiting.timer);
    this.waiting.delete(taskToken);
    this.closedTokens.add(taskToken);
  }

  private taskHandlers(executionArn: string): Record<string, (input: unknown) => Promise<unknown>> {
    return Object.fromEntries(
      taskStates(this.runnableDefinition).map(([name, state]) => [
        name,
        this.held.has(name)
          ? () => new Promise<never>(() => undefined)
          : this.bindingFor(name, state.Resource, state.Parameters, state.TimeoutSeconds, executionArn),
      ]),
    );
  }

  /** The local implementation of one Task state. */
  private bindingFor(
    stateName: string,
    resource: string,
    parameters: unknown,
    timeoutSeconds?: number,
    executionArn = '',
  ): (input: unknown) => Promise<unknown> {
    const invoke = LAMBDA_INVOKE.exec(resource);
    if (invoke === null) {
      // A plain function ARN as Resource: the state input is the event, the result the output.
      const target = this.targetFor(resource, stateName);
      return (input) => this.invokeLambda(target, input);
    }
    const functionName = (parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    if (typeof functionName !== 'string') {
      throw new Error(`State ${stateName}: lambda:invoke needs a literal FunctionName to bind locally`);
    }
    const target = this.targetFor(functionName, stateName);
    if (invoke[1] === undefined) {
      return async (input) => {
        const payload = await this.invokeLambda(target, (input as { Payload?: unknown }).Payload ?? {});
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      };
    }
    return async (input) => {
      const taskToken = randomBytes(48).toString('base64url');
      const event = replaceValue((input as { Payload?: unknown }).Payload ?? {}, TASK_TOKEN_PLACEHOLDER, taskToken);
      const outcome = new Promise<unknown>((resolve, reject) => {
        // Backstop only: the library's own TimeoutSeconds race fires first and reports States.Timeout.
        const timer =
          timeoutSeconds === undefined
            ? undefined
            : setTimeout(() => {
                this.closeToken(taskToken);
                reject(new TaskError('States.Timeout', `State ${stateName} timed out waiting for its task token`));
              }, timeoutSeconds * 1000 + 50);
        timer?.unref();
        this.waiting.set(taskToken, { executionArn, stateName, resolve, reject, timer });
      });
      try {
        await this.invokeLambda(target, event);
      } catch (error) {
        this.closeToken(taskToken);
        throw error;
      }
      return outcome;
    };
  }

  private targetFor(functionNameOrArn: string, stateName: string): LambdaTarget {
    // function:<name>[:qualifier] or a bare name; our fake ARNs end in the logical id.
    const name = /:function:([^:]+)/.exec(functionNameOrArn)?.[1] ?? functionNameOrArn;
    const target = this.targets.get(name);
    if (target === undefined) {
      throw new Error(`State ${stateName}: function ${name} has no vnt:entry metadata to bind it to a handler module`);
    }
    return target;
  }

  /**
   * Lambda's synchronous invoke as Step Functions sees it: JSON in and out, the function's timeout
   * (Sandbox.Timedout), and an error reported as Error = its name, Cause = the runtime's error JSON.
   */
  private async invokeLambda(target: LambdaTarget, event: unknown): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `Task timed out after ${target.timeoutSeconds.toFixed(2)} seconds`;
        reject(new TaskError('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message })));
      }, target.timeoutSeconds * 1000);
    });
    try {
      const result = await Promise.race([this.invoker(target, JSON.parse(JSON.stringify(event))), timeout]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof TaskError) throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      const errorType = err.name || 'Error';
      throw new TaskError(
        errorType,
        JSON.stringify({ errorType, errorMessage: err.message, trace: (err.stack ?? '').split('\n') }),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private async recordHistory(events: AsyncGenerator<unknown>, history: ExecutionHistoryEvent[]): Promise<void> {
    for await (const raw of events) {
      const event = raw as { type: string; timestamp: number; state?: { name: string }; Error?: string; Cause?: unknown };
      history.push({
        type: event.type,
        timestamp: event.timestamp,
        ...(event.state ? { stateName: event.state.name } : {}),
        ...(event.Error === undefined ? {} : { error: event.Error }),
        ...(event.Cause === undefined ? {} : { cause: causeText(event.Cause) }),
      });
    }
  }

  private async finish(
    execution: Execution,
    end: Pick<ExecutionDescription, 'status' | 'output' | 'error' | 'cause'>,
    settle: (description: ExecutionDescription) => void,
  ): Promise<void> {
    execution.description = { ...execution.description, ...end, stopDate: new Date() };
    // Tasks still waiting for a token die with their execution.
    for (const [token, waiting] of this.waiting) {
      if (waiting.executionArn === execution.description.executionArn) this.closeToken(token);
    }
    for (const listener of [...this.endListeners]) {
      try {
        await listener(execution.description);
      } catch (error) {
        console.error(`onExecutionEnd listener failed for ${execution.description.executionArn}:`, error);
      }
    }
    settle(execution.description);
  }
}

function endOf(error: unknown): Pick<ExecutionDescription, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  const cause = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
  return { status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) };
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

/** Deep copy of `value` with every string equal to `from` replaced by `to`. */
function replaceValue(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((item) => replaceValue(item, from, to));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceValue(inner, from, to)]));
  }
  return value;
}
