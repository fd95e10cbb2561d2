import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { ENTRY_METADATA_KEY } from '../../lib/constructs/service-function';
import type { CfnTemplate } from './template-asl';

/** A Lambda function of the template that the local workflow can run in-process. */
export interface LambdaTarget {
  readonly logicalId: string;
  /** Repo-relative handler module (the `vnt:entry` metadata). */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly arn: string;
}

/** Invokes a target with an event, like Lambda's synchronous Invoke: resolves the result or throws the error. */
export type LambdaInvoker = (target: LambdaTarget, event: unknown) => Promise<unknown>;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every function of the template that carries `vnt:entry` metadata, by logical id. */
export function lambdaTargetsOf(template: CfnTemplate, arnOf: (logicalId: string) => string): Map<string, LambdaTarget> {
  const targets = new Map<string, LambdaTarget>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') continue;
    targets.set(logicalId, {
      logicalId,
      entry,
      // Lambda's defaults when the template does not say.
      timeoutSeconds: Number(resource.Properties?.Timeout ?? 3),
      memorySize: Number(resource.Properties?.MemorySize ?? 128),
      arn: arnOf(logicalId),
    });
  }
  return targets;
}

/** A complete Lambda Context whose remaining time counts down from the function's timeout. */
export function lambdaContextFor(target: LambdaTarget): Context {
  const deadline = Date.now() + target.timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: target.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: target.arn,
    memoryLimitInMB: String(target.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${target.logicalId}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Runs handlers in this process, imported from their TypeScript source (tsx or vitest transpile them) and
 * kept loaded like a warm container. Handlers read their environment at import, so process.env must be
 * complete before the first invocation.
 */
export function inProcessInvoker(repoRoot: string = REPO_ROOT): LambdaInvoker {
  const modules = new Map<string, Promise<Handler>>();
  const load = (entry: string): Promise<Handler> => {
    let handler = modules.get(entry);
    if (handler === undefined) {
      handler = import(pathToFileURL(path.join(repoRoot, entry)).href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
        return module.handler as Handler;
      });
      // A failed import is not cached, so a fixed file loads on the next invocation.
      handler.catch(() => modules.delete(entry));
      modules.set(entry, handler);
    }
    return handler;
  };
  return async (target, event) => (await load(target.entry))(event, lambdaContextFor(target));
}
