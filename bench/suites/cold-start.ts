import { readdir, readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { ENV } from '../../lib/config/env-names';
import { METRICS } from '../../lib/config/metric-names';
import { lambdaEntryPoint, lambdaEsbuildOptions, PROJECT_ROOT } from '../../lib/constructs/lambda-bundling';
import { npmPackageOf } from '../lib/cpu-profile';
import { median, round } from '../lib/stats';
import { timeProcess } from '../lib/timing';
import { goal, type SuiteContext, type SuiteResult } from '../lib/types';

export interface FunctionColdStart {
  readonly entry: string;
  readonly api: boolean;
  readonly bundleBytes: number;
  readonly bundleDeflatedBytes: number;
  readonly sourceMapBytes: number;
  /** Median wall ms of a fresh node importing the bundle minus a bare `node -e 0`. */
  readonly initMs: number;
  /** Median ms of the `import()` alone, timed inside the fresh process. */
  readonly importMs: number;
  /** Median ms of the `import()` without NODE_OPTIONS=--enable-source-maps (full runs only). */
  readonly importNoSourceMapsMs?: number;
  /** Largest inputs in the bundle (bytes after minification), the first place to look when it is big. */
  readonly topInputs: readonly { readonly path: string; readonly bytes: number }[];
}

const BUNDLE_GOAL_BYTES = 150 * 1024;
const INIT_GOAL_MS = 100;

/** Every functions/** module that exports a Lambda `handler`. */
export async function handlerEntries(): Promise<string[]> {
  const root = path.join(PROJECT_ROOT, 'functions');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const entries: string[] = [];
  for (const file of files) {
    const source = await readFile(path.join(root, file), 'utf8');
    if (/export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/.test(source)) {
      entries.push(`functions/${file.split(path.sep).join('/')}`);
    }
  }
  return entries.sort();
}

/** Bundles `entry` as ServiceFunction does (LAMBDA_BUNDLING), returning its largest inputs. */
async function bundle(entry: string, outdir: string) {
  const result = await build({
    ...lambdaEsbuildOptions(),
    entryPoints: [lambdaEntryPoint(entry)],
    outfile: path.join(outdir, 'index.mjs'),
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const topInputs = Object.entries(output.inputs)
    .map(([p, v]) => ({ path: packageOf(p), bytes: v.bytesInOutput }))
    .reduce<Map<string, number>>((m, i) => m.set(i.path, (m.get(i.path) ?? 0) + i.bytes), new Map());
  return [...topInputs.entries()].map(([p, bytes]) => ({ path: p, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
}

/** Groups node_modules inputs by package (`@aws-sdk/client-s3`), keeps our own files as paths. */
function packageOf(input: string): string {
  return npmPackageOf(input) ?? input;
}

/** What the Lambda environment gives the module at init: the construct's env plus every ENV name set. */
function lambdaLikeEnv(): NodeJS.ProcessEnv {
  // CURSOR_SECRET is the local stack's stand-in for the Secrets Manager ARN: in AWS only the ARN is set.
  const awsNames = Object.values(ENV).filter((name) => name !== ENV.cursorSecret);
  const dummies = Object.fromEntries(
    awsNames.map((name) => [name, name.endsWith('ARN') ? 'arn:aws:states:us-east-1:000000000000:stateMachine:bench' : `bench-${name.toLowerCase()}`]),
  );
  return {
    PATH: process.env.PATH,
    ...dummies,
    [ENV.progressEndpoint]: 'https://example.invalid/bench',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    POWERTOOLS_SERVICE_NAME: METRICS.services.api,
    POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

const IMPORT_PROBE =
  'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));';

export async function coldStartSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const started = performance.now();
  const runs = ctx.smoke ? 3 : 15;
  const node = process.execPath;
  const env = lambdaLikeEnv();
  // A smoke run keeps to the API functions, which carry the goals.
  const entries = (await handlerEntries()).filter((e) => !ctx.smoke || e.startsWith('functions/api/'));
  const work = await mkdtemp(path.join(tmpdir(), 'vnt-bench-cold-'));
  const results: FunctionColdStart[] = [];
  const failures: string[] = [];
  try {
    for (const entry of entries) {
      const outdir = path.join(work, entry.replace(/[/.]/g, '_'));
      try {
        const topInputs = await bundle(entry, outdir);
        const js = path.join(outdir, 'index.mjs');
        const code = await readFile(js);
        const url = pathToFileURL(js).href;
        const bare: number[] = [];
        const wall: number[] = [];
        const inner: number[] = [];
        const innerNoMaps: number[] = [];
        const envNoMaps = { ...env, NODE_OPTIONS: '' };
        for (let i = 0; i < runs; i++) {
          bare.push((await timeProcess(node, ['-e', '0'], env)).ms);
          const r = await timeProcess(node, ['--input-type=module', '-e', IMPORT_PROBE, url], env);
          wall.push(r.ms);
          inner.push(Number(r.stdout));
          if (!ctx.smoke) innerNoMaps.push(Number((await timeProcess(node, ['--input-type=module', '-e', IMPORT_PROBE, url], envNoMaps)).stdout));
        }
        const result: FunctionColdStart = {
          entry,
          api: entry.startsWith('functions/api/'),
          bundleBytes: code.length,
          bundleDeflatedBytes: deflateRawSync(code).length,
          sourceMapBytes: (await stat(`${js}.map`)).size,
          initMs: Math.max(0, median(wall) - median(bare)),
          importMs: median(inner),
          ...(innerNoMaps.length > 0 ? { importNoSourceMapsMs: median(innerNoMaps) } : {}),
          topInputs,
        };
        results.push(result);
        ctx.log(`cold start ${entry}: ${round(result.bundleBytes / 1024, 1)} KB, init ${round(result.initMs, 1)} ms (import ${round(result.importMs, 1)} ms)`);
      } catch (error) {
        failures.push(`${entry}: ${(error as Error).message.split('\n')[0]}`);
        ctx.log(`cold start ${entry} FAILED: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const api = results.filter((r) => r.api);
  const biggest = api.reduce<FunctionColdStart | undefined>((a, b) => (!a || b.bundleBytes > a.bundleBytes ? b : a), undefined);
  const slowest = api.reduce<FunctionColdStart | undefined>((a, b) => (!a || b.initMs > a.initMs ? b : a), undefined);
  const kb = (b: number) => round(b / 1024, 1);
  const goals = [];
  if (biggest && slowest) {
    goals.push(
      goal('cold-start', 'api-bundle-size', 'API function bundle < 150 KB (largest)', kb(biggest.bundleBytes), 'KB', '<', 150,
        `${biggest.entry}; ${api.filter((r) => r.bundleBytes < BUNDLE_GOAL_BYTES).length}/${api.length} API bundles under`),
      goal('cold-start', 'api-init-time', 'API function module init < 100 ms (slowest)', round(slowest.initMs, 1), 'ms', '<', INIT_GOAL_MS,
        `${slowest.entry}; fresh node importing the bundle minus bare \`node -e 0\`, median of ${runs}`),
    );
  }
  return {
    suite: 'cold-start',
    title: 'Cold start: bundle size and module init per Lambda',
    status: results.length > 0 ? 'ok' : 'failed',
    durationMs: performance.now() - started,
    goals,
    tables: [
      {
        title: `Bundles (ServiceFunction esbuild options) and init, median of ${runs} fresh processes`,
        header: ['function', 'bundle KB', 'deflated KB', 'map KB', 'init ms (wall − bare node)', 'import() ms', 'import() ms without source maps', 'largest inputs (KB)'],
        rows: results.map((r) => [
          `${r.entry}${r.api ? '' : ' (non-API)'}`,
          `${kb(r.bundleBytes)}${r.api && r.bundleBytes >= BUNDLE_GOAL_BYTES ? ' ✗' : ''}`,
          String(kb(r.bundleDeflatedBytes)),
          String(kb(r.sourceMapBytes)),
          `${round(r.initMs, 1)}${r.api && r.initMs >= INIT_GOAL_MS ? ' ✗' : ''}`,
          String(round(r.importMs, 1)),
          r.importNoSourceMapsMs === undefined ? '–' : String(round(r.importNoSourceMapsMs, 1)),
          r.topInputs.slice(0, 3).map((i) => `${i.path} ${kb(i.bytes)}`).join(', '),
        ]),
        note: `Env as in Lambda: the construct's POWERTOOLS_* and NODE_OPTIONS=--enable-source-maps, every ENV name set. Node ${process.version}.`,
      },
    ],
    notes: failures.map((f) => `Could not bundle or import ${f}`),
    data: { runs, node: process.version, functions: results, failures },
    ...(failures.length > 0 && results.length === 0 ? { error: failures.join('; ') } : {}),
  };
}
