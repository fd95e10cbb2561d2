import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ExecutionInput,
  FetchTranscriptionInput,
  NormalizeInput,
  PIPELINE_TASKS,
} from '../../functions/pipeline/common/task-schemas';
import { type PayloadPaths, resultFields, statePath, taskPayload } from '../../lib/constructs/pipeline-contract';
import { synthPipelineTestStack } from '../helpers/pipeline-workflow-stack';
import { render, resources, stateMachineDefinition } from './helpers/template';

type TaskName = keyof typeof PIPELINE_TASKS;
interface TaskState {
  readonly Type: 'Task';
  readonly Parameters: { readonly FunctionName: unknown; readonly Payload: Record<string, string> };
  readonly ResultSelector?: Record<string, string>;
  readonly ResultPath?: string | null;
  readonly Catch?: ReadonlyArray<{ readonly ResultPath?: string }>;
}

let states: Record<string, { Type: string; [key: string]: any }>;
let template: Template;

beforeAll(() => {
  template = Template.fromJSON(synthPipelineTestStack().template);
  states = stateMachineDefinition(template).States;
});

const taskStates = () => Object.entries(states).filter((entry): entry is [string, TaskState & { Type: string }] => entry[1].Type === 'Task');

/** The pipeline task a state invokes, by the `vnt:entry` of its function (functions/pipeline/<task>.ts). */
function taskOf(state: TaskState): TaskName {
  const functionId = /^<(.+)\.Arn>$/.exec(render(state.Parameters.FunctionName))![1]!;
  const entry = String(resources(template)[functionId]!.Metadata!['vnt:entry']);
  return /^functions\/pipeline\/(.+)\.ts$/.exec(entry)![1] as TaskName;
}

const fieldsOf = (selector: Record<string, string>) => Object.keys(selector).map((key) => key.replace(/\.\$$/, '')).sort();

describe('the synthesised state machine follows the pipeline data contract', () => {
  it('builds each task’s Payload with exactly the fields of its handler’s input schema', () => {
    for (const [name, state] of taskStates()) {
      const { input } = PIPELINE_TASKS[taskOf(state)];
      expect(fieldsOf(state.Parameters.Payload), name).toEqual(Object.keys(input.shape).sort());
    }
  });

  it('keeps exactly the fields of each task’s result schema, or discards a result the contract does not declare', () => {
    for (const [name, state] of taskStates()) {
      const { result } = PIPELINE_TASKS[taskOf(state)];
      if (result === undefined) {
        expect(state.ResultSelector, name).toBeUndefined();
        expect(state.ResultPath, name).toBeNull();
      } else {
        expect(fieldsOf(state.ResultSelector ?? {}), name).toEqual(resultFields(result).sort());
      }
    }
  });

  it('invokes every task of the contract', () => {
    expect([...new Set(taskStates().map(([, state]) => taskOf(state)))].sort()).toEqual(Object.keys(PIPELINE_TASKS).sort());
  });

  it('reads only paths that the execution input, an earlier result or a Catch has written', () => {
    const written = new Set(Object.keys(ExecutionInput.shape).map((field) => `$.${field}`));
    for (const [, state] of taskStates()) {
      if (typeof state.ResultPath === 'string') {
        written.add(state.ResultPath);
        for (const field of fieldsOf(state.ResultSelector ?? {})) written.add(`${state.ResultPath}.${field}`);
      }
      for (const caught of state.Catch ?? []) {
        if (caught.ResultPath !== undefined) ['', '.Error', '.Cause'].forEach((field) => written.add(`${caught.ResultPath}${field}`));
      }
    }
    const read = [
      ...taskStates().flatMap(([, state]) => Object.values(state.Parameters.Payload)),
      ...Object.values(states).flatMap((state) => (state.Choices ?? []).flatMap((c: Record<string, unknown>) => [c.Variable, c.NumericLessThanEqualsPath])),
      ...Object.values(states).flatMap((state) => [state.ErrorPath, state.CausePath, state.InputPath]),
    ].filter((path): path is string => typeof path === 'string' && path.startsWith('$.'));
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((path) => !written.has(path))).toEqual([]);
  });
});

describe('pipeline contract helpers', () => {
  it('refuse a Payload whose fields differ from the input schema (a cast cannot hide a renamed field)', () => {
    const renamed = { jobID: '$.jobId' } as unknown as PayloadPaths<typeof FetchTranscriptionInput>;
    expect(() => taskPayload(FetchTranscriptionInput, renamed)).toThrow(/do not match the task input \[jobId\]/);
  });

  it('refuse a result field the ResultSelector could miss: optional, or absent from a union member', () => {
    expect(() => resultFields(z.object({ text: z.string(), note: z.string().optional() }))).toThrow(/"note"/);
    const partial = z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), value: z.string() }),
      z.object({ ok: z.literal(false) }),
    ]);
    expect(() => resultFields(partial)).toThrow(/"value"/);
    expect(resultFields(PIPELINE_TASKS.normalize.result).sort()).toEqual(
      ['audioHash', 'cached', 'durationSeconds', 'fastPathMaxSeconds', 'normalizeMs', 'normalizedKey'],
    );
  });

  it('type-check Payload fields and state paths against the contract (checked by tsc, which npm test runs first)', () => {
    const complete: PayloadPaths<typeof FetchTranscriptionInput> = { jobId: '$.jobId' };
    // @ts-expect-error a missing field
    const missing: PayloadPaths<typeof FetchTranscriptionInput> = {};
    // @ts-expect-error a renamed field
    const renamed: PayloadPaths<typeof FetchTranscriptionInput> = { jobID: '$.jobId' };
    // @ts-expect-error an extra field
    const extra: PayloadPaths<typeof FetchTranscriptionInput> = { jobId: '$.jobId', hint: '$.languageHint' };
    const fromAudio: PayloadPaths<typeof NormalizeInput> = {
      jobId: '$.jobId',
      upload: '$.upload',
      targetLanguage: '$.targetLanguage',
      // @ts-expect-error a path the execution state does not have
      languageHint: '$.audio.languageHint',
      executionStartTime: '$$.Execution.StartTime',
    };
    // @ts-expect-error a result field the contract does not have
    statePath('$.audio.normalisedKey');
    expect([complete, missing, renamed, extra, fromAudio]).toHaveLength(5);
  });
});
