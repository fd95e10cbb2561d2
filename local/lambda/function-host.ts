import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { REPO_ROOT } from '../config';
import { lambdaContext } from './context';

export type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export interface FunctionDefinition {
  /** Repo-relative source module, e.g. `functions/api/health.ts` (the `vnt:entry` template metadata). */
  readonly entry: string;
  /** @default - derived from the entry file name */
  readonly name?: string;
  /** @default 30 seconds */
  readonly timeoutMs?: number;
}

/**
 * Runs Lambda handlers in this process, imported from their TypeScript source (tsx/vitest transpile it).
 * Modules load once and stay loaded, like a warm Lambda container; the environment must be complete before
 * the first invocation because handlers read it at module scope.
 */
export class FunctionHost {
  private readonly modules = new Map<string, Promise<LambdaHandler>>();

  /** Imports every module now, so a missing export or env variable fails at start, not on first use. */
  async preload(entries: readonly string[]): Promise<void> {
    await Promise.all(entries.map((entry) => this.load(entry)));
  }

  async invoke(definition: FunctionDefinition, event: unknown): Promise<unknown> {
    const handler = await this.load(definition.entry);
    const name = definition.name ?? `vnt-local-${basename(definition.entry, '.ts')}`;
    return handler(event, lambdaContext(name, definition.timeoutMs ?? 30_000));
  }

  private load(entry: string): Promise<LambdaHandler> {
    let loaded = this.modules.get(entry);
    if (loaded === undefined) {
      loaded = importHandler(entry);
      // A failed import is not cached: the file may be fixed and the next invocation retries it.
      loaded.catch(() => this.modules.delete(entry));
      this.modules.set(entry, loaded);
    }
    return loaded;
  }
}

async function importHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a \`handler\` function`);
  return module.handler as LambdaHandler;
}
