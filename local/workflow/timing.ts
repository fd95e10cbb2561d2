import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Time overrides for local runs (tests want seconds-long waits and retries to take milliseconds). */
export interface LocalTiming {
  /**
   * Multiplies every Retry IntervalSeconds/MaxDelaySeconds and Wait Seconds, keeping backoff and jitter
   * (e.g. 0.001 turns a 10 s interval into 10 ms). @default 1
   */
  readonly intervalScale?: number;
  /** Replaces TimeoutSeconds of the named states (seconds, fractions allowed). */
  readonly stateTimeoutSeconds?: Readonly<Record<string, number>>;
  /** Replaces the execution's TimeoutSeconds. */
  readonly executionTimeoutSeconds?: number;
  /** Milliseconds per Wait state, passed to aws-local-stepfunctions as is. */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  /** Milliseconds per retrying state (or per retrier), passed to aws-local-stepfunctions as is. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | number[]>>;
}

/**
 * Step Functions has no default task timeout; aws-local-stepfunctions uses 60 s. Tasks without one get this,
 * and longer timeouts are capped to it: ~23 days, under Node's setTimeout ceiling of 2^31-1 ms (a longer
 * delay would fire at once).
 */
const NO_TASK_TIMEOUT_SECONDS = 2_000_000;

type States = StateMachineDefinition['States'];
type AnyState = States[string] & Record<string, unknown>;

export interface TaskStateView {
  readonly Resource: string;
  readonly Parameters?: unknown;
  readonly TimeoutSeconds?: number;
}

/** Every Task state, including those inside Parallel branches and Map iterators, by name. */
export function taskStates(definition: Pick<StateMachineDefinition, 'States'>): Array<[string, TaskStateView]> {
  const found: Array<[string, TaskStateView]> = [];
  forEachState(definition.States, (name, state) => {
    if (state.Type === 'Task') found.push([name, state as unknown as TaskStateView]);
  });
  return found;
}

/** A copy of the definition with the timing overrides applied. */
export function applyTiming(definition: StateMachineDefinition, timing: LocalTiming): StateMachineDefinition {
  const copy = structuredClone(definition);
  const scale = timing.intervalScale ?? 1;
  if (timing.executionTimeoutSeconds !== undefined) copy.TimeoutSeconds = timing.executionTimeoutSeconds;
  if (copy.TimeoutSeconds !== undefined) copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, NO_TASK_TIMEOUT_SECONDS);
  forEachState(copy.States, (name, state) => {
    if (state.Type === 'Task') {
      const override = timing.stateTimeoutSeconds?.[name];
      if (override !== undefined) {
        state.TimeoutSeconds = override;
        delete state.TimeoutSecondsPath;
      } else if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
      } else if (typeof state.TimeoutSeconds === 'number') {
        state.TimeoutSeconds = Math.min(state.TimeoutSeconds, NO_TASK_TIMEOUT_SECONDS);
      }
    }
    if (Array.isArray(state.Retry)) {
      for (const retrier of state.Retry as Array<Record<string, number | undefined>>) {
        retrier.IntervalSeconds = (retrier.IntervalSeconds ?? 1) * scale;
        if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= scale;
      }
    }
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds *= scale;
  });
  return copy;
}

function forEachState(states: States, visit: (name: string, state: AnyState) => void): void {
  for (const [name, state] of Object.entries(states)) {
    const s = state as AnyState;
    visit(name, s);
    for (const branch of (s.Branches as Array<{ States: States }> | undefined) ?? []) forEachState(branch.States, visit);
    const iterator = (s.ItemProcessor ?? s.Iterator) as { States: States } | undefined;
    if (iterator) forEachState(iterator.States, visit);
  }
}
