import { JsonPath, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import * as z from 'zod';
import type { ExecutionState } from '../../functions/pipeline/common/task-schemas';

/**
 * Binds the pipeline's data contract (functions/pipeline/common/task-schemas.ts) to the state machine: each
 * task's Payload is built from its input schema and its ResultSelector from its result schema, and every
 * path is typed against the execution state. Renaming a field in a schema is then a type error (or a synth
 * error) here, not a runtime failure of the state machine.
 */

/** Every JSONPath to a field of `T` below `Prefix` (`$.audio`, `$.audio.normalizedKey`, …). */
type PathsOf<T, Prefix extends string> = T extends object
  ? { [K in keyof T & string]-?: `${Prefix}.${K}` | PathsOf<T[K], `${Prefix}.${K}`> }[keyof T & string]
  : never;

/** A path into the execution state: a typo or a field the contract does not have is a type error. */
export type StatePath = PathsOf<ExecutionState, '$'>;

/** The context-object fields the pipeline reads. */
export type ContextPath = '$$.Execution.StartTime' | '$$.Task.Token';

/** Where a state keeps its result: one top-level key of the execution state. */
export type ResultPath = `$.${keyof ExecutionState & string}`;

/** One source per field of the task's input: a missing, renamed or extra field is a type error. */
export type PayloadPaths<S extends z.ZodObject> = { readonly [K in keyof z.input<S>]-?: StatePath | ContextPath };

/** Checks a path against the execution state at compile time (for Choice conditions and Fail paths). */
export function statePath(path: StatePath): string {
  return path;
}

/** A task's Payload: exactly the fields of its input schema, each read from the execution state or context. */
export function taskPayload<S extends z.ZodObject>(input: S, paths: PayloadPaths<S>): TaskInput {
  const expected = Object.keys(input.shape).sort();
  const given = Object.keys(paths).sort();
  if (expected.join() !== given.join()) {
    throw new Error(`Payload fields [${given.join(', ')}] do not match the task input [${expected.join(', ')}]`);
  }
  return TaskInput.fromObject(
    Object.fromEntries(Object.entries<string>(paths).map(([field, path]) => [field, JsonPath.objectAt(path)])),
  );
}

/**
 * A ResultSelector that keeps exactly the result schema's fields, read below `from` (`$.Payload` for a
 * Lambda's return value, `$` for what a callback sent with the task token).
 */
export function resultSelector(result: z.ZodType, from: '$.Payload' | '$'): Record<string, unknown> {
  return Object.fromEntries(resultFields(result).map((field) => [field, JsonPath.objectAt(`${from}.${field}`)]));
}

/**
 * The fields of an object schema, or of a union of object schemas (a discriminated union's members). A
 * ResultSelector fails on a missing path, so every field must be in every member and never optional.
 */
export function resultFields(result: z.ZodType): string[] {
  const members = result instanceof z.ZodUnion ? (result.options as readonly z.ZodType[]) : [result];
  const shapes = members.map((member) => {
    if (!(member instanceof z.ZodObject)) throw new Error('A task result must be an object schema or a union of them');
    return member.shape as Record<string, z.ZodType>;
  });
  const fields = [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
  for (const field of fields) {
    if (shapes.some((shape) => shape[field] === undefined || shape[field].safeParse(undefined).success)) {
      throw new Error(`Task result field "${field}" must be present in every result (the ResultSelector needs it)`);
    }
  }
  return fields;
}
