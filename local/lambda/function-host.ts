import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCAL, REPO_ROOT } from '../config';
import { inProcessInvoker, type LambdaInvoker, type LambdaTarget } from '../workflow';

export interface FunctionDefinition {
  /** Repo-relative source module, e.g. `functions/api/health.ts` (the `vnt:entry` template metadata). */
  readonly entry: string;
  /** Function name (the template's logical id when known). @default - derived from the entry file name */
  readonly name?: string;
  /** @default 30 seconds */
  readonly timeoutMs?: number;
}

/**
 * Runs Lambda handlers in this process through the local workflow's in-process invoker (one module cache
 * for the API, the event sources and the state machine): modules load once and stay loaded like a warm
 * container. The environment must be complete before the first load, because handlers read it at import.
 */
export class FunctionHost {
  readonly invoker: LambdaInvoker = inProcessInvoker(REPO_ROOT);

  /** Imports modules now, so a missing `handler` export or environment variable fails at start. */
  async preload(entries: readonly string[]): Promise<void> {
    await Promise.all(
      entries.map(async (entry) => {
        const module = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as { handler?: unknown };
        if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a \`handler\` function`);
      }),
    );
  }

  invoke(definition: FunctionDefinition, event: unknown): Promise<unknown> {
    const name = definition.name ?? `vnt-local-${basename(definition.entry, '.ts')}`;
    const target: LambdaTarget = {
      logicalId: name,
      entry: definition.entry,
      timeoutSeconds: (definition.timeoutMs ?? 30_000) / 1000,
      memorySize: 1024,
      arn: `arn:aws:lambda:${LOCAL.region}:${LOCAL.account}:function:${name}`,
    };
    return this.invoker(target, event);
  }
}
