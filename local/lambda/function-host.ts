import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCAL, REPO_ROOT } from '../config';
import { TemplateEnvironmentError } from '../template/template-environment';
import { inProcessInvoker, type LambdaInvoker, type LambdaTarget } from '../workflow';
import type { HandlerEnvironments } from './handler-environment';

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
 * container.
 *
 * Handlers read their environment at import, and share the process's. So each module is loaded with only its
 * own function's template variables (a variable its template does not set is absent, and a handler that
 * requires it fails the start), and afterwards every handler runs with the shared environment, in which every
 * template agrees (handlerEnvironments checks that).
 */
export class FunctionHost {
  private readonly invokeInProcess = inProcessInvoker(REPO_ROOT);
  /** Invocations in progress: like Lambda, one goes on after its caller stopped waiting (a task that timed out). */
  private readonly running = new Set<Promise<unknown>>();
  private environments?: HandlerEnvironments;
  private readonly loaded = new Set<string>();

  /** Runs a handler in this process (the state machine's tasks use it too), tracked until it ends. */
  readonly invoker: LambdaInvoker = (target, event) => {
    const invocation = this.invokeInProcess(target, event);
    this.running.add(invocation);
    void invocation.catch(() => undefined).finally(() => this.running.delete(invocation));
    return invocation;
  };

  /** Resolves once no invocation is running, including those started while it waits. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** `idle`, or `timeoutMs`, whichever comes first; true if nothing runs any more. */
  async settled(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs).unref()));
    try {
      return await Promise.race([this.idle().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sets the shared environment; call it before the first handler loads. */
  useEnvironments(environments: HandlerEnvironments): void {
    this.environments = environments;
    Object.assign(process.env, environments.shared);
  }

  /**
   * Imports modules now, one at a time, each with its own template environment, so a missing `handler`
   * export or a variable its template does not set fails the start. Call it before anything invokes a handler:
   * while a module loads, the process environment is that function's.
   */
  async preload(entries: readonly string[]): Promise<void> {
    const environments = this.environments;
    if (environments === undefined) throw new Error('FunctionHost.preload: call useEnvironments first');
    for (const entry of new Set(entries)) {
      if (this.loaded.has(entry)) continue;
      const own = environments.byEntry.get(entry);
      if (own === undefined) throw new TemplateEnvironmentError(`No function of the synthesised app runs ${entry}`);
      let module: { handler?: unknown };
      try {
        module = await withEnvironment(own.variables, environments.templateVariables, () => import(pathToFileURL(join(REPO_ROOT, entry)).href));
      } catch (error) {
        const names = Object.keys(own.variables).sort().join(', ');
        throw new TemplateEnvironmentError(
          `${entry} (${own.function.logicalId}) fails to load with its template's environment (${names}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a \`handler\` function`);
      this.loaded.add(entry);
    }
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

/** Runs `load` with the template variables that are not `own` taken out of process.env, then restores it. */
async function withEnvironment<T>(own: Readonly<Record<string, string>>, templateVariables: ReadonlySet<string>, load: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const name of templateVariables) delete process.env[name];
  Object.assign(process.env, own);
  try {
    return await load();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}
