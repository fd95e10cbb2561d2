import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) needed to attribute self time. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

/** The innermost npm package a path belongs to (`…/node_modules/a/node_modules/@s/b/x.js` → `@s/b`). */
export function npmPackageOf(filePath: string): string | undefined {
  const matches = [...filePath.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return matches.length === 0 ? undefined : matches[matches.length - 1]![1];
}

/**
 * Groups a file URL into something a reader can act on: an npm package (`@aws-sdk/client-s3`), one of our
 * source files (`functions/jobs/upload-service.ts`), or a V8/Node bucket (`(garbage collector)`, `node:internal`).
 */
export function bucketOf(url: string, functionName: string, projectRoot: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = npmPackageOf(url);
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^(node:internal).*/, '$1');
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(projectRoot) ? path.slice(projectRoot.length).replace(/^\//, '') : path;
}

/** Self time per bucket, largest first: where the process spent its CPU. */
export function summarizeProfile(profile: CpuProfile, projectRoot: string, byFunction = false): ProfileShare[] {
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = nodeById.get(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const bucket = bucketOf(node.callFrame.url, node.callFrame.functionName, projectRoot);
    const key = byFunction ? `${bucket} ${node.callFrame.functionName || '(anonymous)'}:${node.callFrame.lineNumber + 1}` : bucket;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .map(([name, selfMs]) => ({ name, selfMs, share: total === 0 ? 0 : selfMs / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

export async function readProfile(file: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
}

const CATEGORIES: readonly [string, RegExp][] = [
  // Promise hooks only run once some module registers an async hook with `destroy` (cls-hooked does).
  ['async_hooks promise tracking (cls-hooked, loaded by the X-Ray SDK)', /\b(registerDestroyHook|promiseInitHookWithDestroyTracking|destroyTracking|promiseBeforeHook|promiseAfterHook|emitDestroyScript|emitInitScript)\b/],
  ['local emulators (dynalite, s3rver, fauxqs, step functions)', /^(dynalite|classic-level|abstract-level|level-|memdown|lock$|s3rver|fauxqs|aws-local-stepfunctions|koa|@koa|xmlbuilder|fast-xml-parser|better-sqlite3|lru-cache|local\/emulators\/|local\/stepfunctions\/|local\/workflow\/)/],
  ['AWS SDK v3 (@smithy, @aws-sdk)', /^(@smithy\/|@aws-sdk\/|@aws-crypto\/|tslib|uuid|bowser|strnum)/],
  ['Powertools + X-Ray SDK (cls-hooked)', /^(@aws-lambda-powertools\/|aws-xray-sdk-core|cls-hooked|async-hook-jl|emitter-listener|shimmer|semver|atomic-batcher)/],
  ['middy + zod', /^(@middy\/|zod)/],
  ['our handlers and services (functions/, lib/)', /^(functions\/|lib\/)/],
  ['local gateway and Lambda host (local/)', /^local\//],
  ['garbage collector', /^\(garbage collector\)/],
  ['module loading (tsx, esbuild)', /^(tsx|esbuild|get-tsconfig)/],
  ['Node.js runtime (http, streams, timers)', /^(node:|\(native\)|\(program\))/],
];

/** Coarse owner of a bucket, for a table a reader can act on. */
export function categoryOf(bucket: string): string {
  return CATEGORIES.find(([, re]) => re.test(bucket))?.[0] ?? `other (${bucket})`;
}

/** Idle time and the profiler's own inspector session are not the process's work. */
export function isBusy(name: string): boolean {
  return !name.startsWith('(idle)') && !name.startsWith('node:inspector');
}

/** Self time per category, idle and profiler excluded, largest first. */
export function categorize(shares: readonly ProfileShare[]): ProfileShare[] {
  const busy = shares.filter((s) => isBusy(s.name));
  const total = busy.reduce((sum, s) => sum + s.selfMs, 0);
  const byCategory = new Map<string, number>();
  for (const s of busy) {
    const c = categoryOf(s.name);
    byCategory.set(c.startsWith('other') ? 'other' : c, (byCategory.get(c.startsWith('other') ? 'other' : c) ?? 0) + s.selfMs);
  }
  return [...byCategory.entries()]
    .map(([name, selfMs]) => ({ name, selfMs, share: total === 0 ? 0 : selfMs / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
