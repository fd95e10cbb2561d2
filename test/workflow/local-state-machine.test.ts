import './workflow-env';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalStateMachine, stateMachinesOf } from '../../local/workflow';
import { recorded } from './fixtures/test-handlers';

const ENTRY = 'test/workflow/fixtures/test-handlers.ts';

/** A template shaped like CDK's: functions with `vnt:entry`, a DefinitionString as Fn::Join with GetAtt ARNs. */
function template(states: Record<string, unknown>, startAt: string, extra: Record<string, unknown> = {}) {
  const definition = JSON.stringify({ StartAt: startAt, States: states, ...extra });
  // Split the JSON around the function ARN placeholder, like CDK does around tokens.
  const parts = definition.split('"FN_ARN"').flatMap((chunk, i, all) =>
    i < all.length - 1 ? [`${chunk}"`, { 'Fn::GetAtt': ['TaskFunction1234', 'Arn'] }, '"'] : [chunk],
  );
  return {
    Resources: {
      TaskFunction1234: {
        Type: 'AWS::Lambda::Function',
        Properties: { Timeout: 1, MemorySize: 256 },
        Metadata: { 'vnt:entry': ENTRY },
      },
      Machine5678: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: { 'Fn::Join': ['', parts.map((p) => (typeof p === 'string' ? p.replace(/"FN_ARN/g, '') : p))] } },
      },
    },
  };
}

function invoke(payload: Record<string, unknown>, more: Record<string, unknown> = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: 'FN_ARN', Payload: payload },
    ResultSelector: { 'value.$': '$.Payload' },
    TimeoutSeconds: 5,
    ...more,
  };
}

beforeEach(() => {
  recorded.tokens.length = 0;
  for (const key of Object.keys(recorded.calls)) delete recorded.calls[key];
});

describe('template → ASL', () => {
  it('resolves the DefinitionString into plain ASL with ARNs that lead back to the function', () => {
    const [machine] = stateMachinesOf(template({ Echo: invoke({ mode: 'echo' }, { End: true }) }, 'Echo') as never, { region: 'eu-west-1' });

    expect(machine?.arn).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:Machine5678');
    expect((machine?.definition.States.Echo as unknown as { Parameters: { FunctionName: string } }).Parameters.FunctionName).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:TaskFunction1234',
    );
  });
});

describe('LocalStateMachine', () => {
  const echoMachine = () =>
    LocalStateMachine.fromTemplate(
      template({ Echo: invoke({ mode: 'echo', 'input.$': '$.n', 'name.$': '$$.Execution.Name' }, { End: true }) }, 'Echo') as never,
    );

  it('runs a Lambda task through the {Payload} adapter with the context object available', async () => {
    const machine = echoMachine();

    const { executionArn } = machine.start('run-1', { n: 7 });
    const ended = await machine.waitForEnd(executionArn);

    expect(ended).toMatchObject({ status: 'SUCCEEDED', name: 'run-1', input: '{"n":7}' });
    expect(JSON.parse(ended.output!)).toEqual({ value: { echoed: { mode: 'echo', input: 7, name: 'run-1' }, at: 'echo' } });
    expect(ended.stopDate!.getTime()).toBeGreaterThanOrEqual(ended.startDate.getTime());
  });

  it('has StartExecution’s idempotency: same name and input while running → same execution; otherwise ExecutionAlreadyExists', async () => {
    const machine = echoMachine();

    const first = machine.start('job-1', '{"n":1}');
    expect(machine.start('job-1', '{"n":1}')).toEqual(first);
    expect(() => machine.start('job-1', '{"n":2}')).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    await machine.waitForEnd(first.executionArn);
    expect(() => machine.start('job-1', '{"n":1}')).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    expect(machine.list()).toHaveLength(1);
    expect(() => machine.start('bad name!', {})).toThrow(expect.objectContaining({ name: 'InvalidName' }));
    expect(() => machine.describe('arn:nope')).toThrow(expect.objectContaining({ name: 'ExecutionDoesNotExist' }));
  });

  it('reports a Lambda error as Step Functions does: Error = its name, Cause = the runtime’s JSON', async () => {
    const machine = LocalStateMachine.fromTemplate(
      template(
        {
          Fail: invoke({ mode: 'fail', name: 'SILENT_AUDIO' }, { Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }] }),
          Caught: { Type: 'Pass', End: true },
          Done: { Type: 'Succeed' },
        },
        'Fail',
      ) as never,
    );

    const ended = await machine.waitForEnd(machine.start('e1', {}).executionArn);

    const { error } = JSON.parse(ended.output!) as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('SILENT_AUDIO');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'SILENT_AUDIO', errorMessage: 'the answer is no', trace: expect.any(Array) });
  });

  it('fails the execution with the uncaught error', async () => {
    const machine = LocalStateMachine.fromTemplate(template({ Fail: invoke({ mode: 'fail', name: 'BOOM' }, { End: true }) }, 'Fail') as never);

    const ended = await machine.waitForEnd(machine.start('e2', {}).executionArn);

    expect(ended).toMatchObject({ status: 'FAILED', error: 'BOOM', cause: expect.stringContaining('the answer is no') });
  });

  it('retries with the definition’s backoff, scaled by the timing option', async () => {
    const retry = [{ ErrorEquals: ['ENGINE_THROTTLED'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' }];
    const machine = LocalStateMachine.fromTemplate(
      template({ Flaky: invoke({ mode: 'flaky', key: 'flaky-1' }, { End: true, Retry: retry }) }, 'Flaky') as never,
      { timing: { intervalScale: 0.001 } },
    );

    const started = Date.now();
    const ended = await machine.waitForEnd(machine.start('r1', {}).executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(machine.history(ended.executionArn).filter((e) => e.type === 'StateRetried')).toHaveLength(1);
  });

  it('times a Lambda out after its configured timeout as Sandbox.Timedout', async () => {
    const machine = LocalStateMachine.fromTemplate(template({ Slow: invoke({ mode: 'slow' }, { End: true }) }, 'Slow') as never);

    const ended = await machine.waitForEnd(machine.start('t1', {}).executionArn);

    expect(ended).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
  });

  describe('.waitForTaskToken', () => {
    const waiting = (timeoutSeconds = 30, extra: Record<string, unknown> = {}) =>
      LocalStateMachine.fromTemplate(
        template(
          {
            Wait: {
              ...invoke({ mode: 'token', 'taskToken.$': '$$.Task.Token' }),
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              ResultSelector: undefined,
              ResultPath: '$.result',
              TimeoutSeconds: timeoutSeconds,
              Catch: [
                { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' },
                { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
              ],
              End: true,
            },
            TimedOut: { Type: 'Pass', End: true },
            Failed: { Type: 'Pass', End: true },
          },
          'Wait',
        ) as never,
        extra,
      );
    const tokenIssued = () => vi.waitUntil(() => recorded.tokens.at(-1), { timeout: 2_000 });

    it('injects a fresh token where the Parameters use $$.Task.Token and resumes with SendTaskSuccess’s output', async () => {
      const machine = waiting();
      const { executionArn } = machine.start('w1', {});

      const token = await tokenIssued();
      expect(machine.describe(executionArn).status).toBe('RUNNING');
      machine.sendTaskHeartbeat(token);
      machine.sendTaskSuccess(token, '{"text":"hello"}');

      const ended = await machine.waitForEnd(executionArn);
      expect(JSON.parse(ended.output!)).toEqual({ result: { text: 'hello' } });
      expect(() => machine.sendTaskSuccess(token, '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
      expect(() => machine.sendTaskSuccess('never-issued', '{}')).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
    });

    it('fails the state with SendTaskFailure’s error and cause', async () => {
      const machine = waiting();
      const { executionArn } = machine.start('w2', {});

      machine.sendTaskFailure(await tokenIssued(), 'TRANSCRIPTION_FAILED', 'bad media');

      const ended = await machine.waitForEnd(executionArn);
      expect(JSON.parse(ended.output!)).toEqual({ error: { Error: 'TRANSCRIPTION_FAILED', Cause: 'bad media' } });
    });

    it('honours the state’s TimeoutSeconds with States.Timeout, after which the token is dead', async () => {
      const machine = waiting(30, { timing: { stateTimeoutSeconds: { Wait: 0.2 } } });
      const { executionArn } = machine.start('w3', {});
      const token = await tokenIssued();

      const ended = await machine.waitForEnd(executionArn);

      expect(JSON.parse(ended.output!)).toMatchObject({ timeout: { Error: 'States.Timeout' } });
      expect(() => machine.sendTaskSuccess(token, '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
      expect(() => machine.sendTaskSuccess(token, 'not json')).toThrow(expect.objectContaining({ name: 'InvalidOutput' }));
    });

    it('ends ABORTED on stop, tells the end listeners once, and kills the pending token', async () => {
      const ends: string[] = [];
      const machine = waiting(30, { onExecutionEnd: (e: { status: string }) => void ends.push(e.status) });
      const { executionArn } = machine.start('w4', {});
      const token = await tokenIssued();

      machine.stop(executionArn);

      expect((await machine.waitForEnd(executionArn)).status).toBe('ABORTED');
      expect(ends).toEqual(['ABORTED']);
      expect(() => machine.sendTaskSuccess(token, '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    });
  });

  it('ends TIMED_OUT when the execution exceeds its TimeoutSeconds', async () => {
    const machine = LocalStateMachine.fromTemplate(
      template({ Wait: { Type: 'Wait', Seconds: 60, End: true } }, 'Wait', { TimeoutSeconds: 60 }) as never,
      { timing: { executionTimeoutSeconds: 0.1 } },
    );

    expect((await machine.waitForEnd(machine.start('x1', {}).executionArn)).status).toBe('TIMED_OUT');
  });
});
