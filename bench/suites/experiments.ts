import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { availableParallelism } from 'node:os';
import { FfmpegAudioTools } from '../../functions/audio/ffmpeg-audio-tools';
import { mapWithConcurrency } from '../../functions/speech/map-with-concurrency';
import { PocketsphinxRecognizer } from '../../local/engines/pocketsphinx-recognizer';
import { AUDIO } from '../../lib/config/limits';
import { lambdaEntryPoint, lambdaEsbuildOptions, PROJECT_ROOT } from '../../lib/constructs/lambda-bundling';
import { handlerEntries } from './cold-start';
import { formatByLabel, makeNote } from '../lib/fixtures';
import { npmPackageOf } from '../lib/cpu-profile';
import { median, round } from '../lib/stats';
import { timeProcess, timed } from '../lib/timing';
import type { SuiteContext, SuiteResult, Table } from '../lib/types';

/**
 * What the proposed fixes would buy, measured on this machine without touching the code they change:
 * each experiment isolates one mechanism the other suites point at.
 */

async function bundleBytes(source: { contents: string } | { entry: string }, external: string[] = []): Promise<number> {
  return (await bundle(source, external)).bytes;
}

/** Bundle size (ServiceFunction's options, without the source map) and the output bytes each npm package contributes. */
async function bundle(source: { contents: string } | { entry: string }, external: string[] = []): Promise<{ bytes: number; byPackage: Map<string, number> }> {
  const result = await build({
    ...lambdaEsbuildOptions(),
    ...('entry' in source
      ? { entryPoints: [lambdaEntryPoint(source.entry)] }
      : { stdin: { contents: source.contents, resolveDir: PROJECT_ROOT, loader: 'ts' } }),
    write: false,
    sourcemap: false,
    external,
    metafile: true,
  });
  const byPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = npmPackageOf(input) ?? input;
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return { bytes: result.outputFiles[0]!.contents.length, byPackage };
}

/** What the Powertools Tracer brings: the X-Ray SDK and its dependencies. */
const XRAY_PACKAGES = ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core', 'semver', 'cls-hooked', 'async-hook-jl', 'emitter-listener', 'shimmer', 'stack-chain', 'atomic-batcher'];

/**
 * create-upload's body schema three ways (same rules): zod's classic API through the named `z` export (which
 * drags in all of zod), through a namespace import (esbuild can tree-shake it), and zod/mini.
 */
const ZOD_SCHEMA = `z.strictObject({ contentType: z.string().min(1).max(255), sizeBytes: z.number().int().positive().optional(), targetLanguage: z.string().min(1).max(16).optional(), sourceLanguage: z.string().min(1).max(16).optional() })`;
const ZOD_NAMED = `import { z } from 'zod';
export const schema = ${ZOD_SCHEMA};
export const parse = (v: unknown) => schema.safeParse(v);`;
const ZOD_CLASSIC = `import * as z from 'zod';
export const schema = ${ZOD_SCHEMA};
export const parse = (v: unknown) => schema.safeParse(v);`;
const ZOD_MINI = `import * as z from 'zod/mini';
export const schema = z.strictObject({ contentType: z.string().check(z.minLength(1), z.maxLength(255)), sizeBytes: z.optional(z.number().check(z.int(), z.positive())), targetLanguage: z.optional(z.string().check(z.minLength(1), z.maxLength(16))), sourceLanguage: z.optional(z.string().check(z.minLength(1), z.maxLength(16))) });
export const parse = (v: unknown) => z.safeParse(schema, v);`;

/** 200,000 awaited promises, after optionally importing a module: the per-await cost of async hooks. */
const awaitLoop = (preload: string | undefined) =>
  `${preload ? `await import(${JSON.stringify(preload)});` : ''}
async function work() { for (let i = 0; i < 200000; i++) await Promise.resolve(i); }
await work(); const t = performance.now(); await work(); process.stdout.write(String(performance.now() - t));`;

export async function experimentsSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const started = performance.now();
  const runs = ctx.smoke ? 3 : 7;
  const rows: string[][] = [];
  const data: Record<string, unknown> = {};

  // E1: the same zod schema through `import { z }`, `import * as z` and zod/mini.
  const named = await bundleBytes({ contents: ZOD_NAMED });
  const classic = await bundleBytes({ contents: ZOD_CLASSIC });
  const mini = await bundleBytes({ contents: ZOD_MINI });
  data.zod = { namedImportBytes: named, namespaceImportBytes: classic, miniBytes: mini };
  rows.push([
    'zod/mini instead of zod\'s classic API (create-upload\'s body schema, bundled alone)',
    `${round(classic / 1024, 1)} KB with \`import * as z from 'zod'\` (${round(named / 1024, 1)} KB with \`import { z }\`)`,
    `${round(mini / 1024, 1)} KB`,
    `−${round((classic - mini) / 1024, 0)} KB in every bundle that imports zod`,
  ]);

  // E2: the promise-hook tax of aws-xray-sdk-core (cls-hooked), loaded by the Powertools Tracer.
  const node = process.execPath;
  const loop = async (preload?: string) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      samples.push(Number((await timeProcess(node, ['--input-type=module', '-e', awaitLoop(preload)], { ...process.env, NODE_OPTIONS: '' })).stdout));
    }
    return median(samples);
  };
  const bare = await loop();
  const withTracer = await loop('@aws-lambda-powertools/tracer');
  data.promiseHooks = { bareMs: bare, withTracerMs: withTracer, awaits: 200_000 };
  rows.push([
    'no X-Ray SDK in the process (200,000 awaits)',
    `${round(withTracer, 1)} ms with @aws-lambda-powertools/tracer imported`,
    `${round(bare, 1)} ms without`,
    `${round(withTracer / bare, 1)}× slower awaits: ${round(((withTracer - bare) / 200_000) * 1000, 2)} µs per await`,
  ]);

  // E3: the API bundles with the AWS SDK external (NodejsFunction's default; the Node 22 runtime ships SDK
  // v3), and what is left once the X-Ray SDK's inputs and zod's excess over zod/mini are taken out.
  const apiEntries = (await handlerEntries()).filter((e) => e.startsWith('functions/api/'));
  const sizes: { entry: string; bundled: number; sdkExternal: number; lean: number }[] = [];
  for (const entry of apiEntries) {
    const bundled = await bundleBytes({ entry });
    const external = await bundle({ entry }, ['@aws-sdk/*', '@smithy/*']);
    const xray = XRAY_PACKAGES.reduce((sum, p) => sum + (external.byPackage.get(p) ?? 0), 0);
    const zodExcess = Math.max(0, (external.byPackage.get('zod') ?? 0) - mini);
    sizes.push({ entry, bundled, sdkExternal: external.bytes, lean: external.bytes - xray - zodExcess });
  }
  data.apiBundles = sizes;
  const kb = (b: number) => round(b / 1024, 0);
  const range = (f: (x: (typeof sizes)[number]) => number) => `${kb(Math.min(...sizes.map(f)))}–${kb(Math.max(...sizes.map(f)))} KB`;
  rows.push([
    `API bundles (${sizes.length}) with the AWS SDK external`,
    `${range((x) => x.bundled)} bundled`,
    `${range((x) => x.sdkExternal)}; also without the X-Ray SDK and with zod/mini: ${range((x) => x.lean)} (estimate: their output bytes taken out)`,
    `${sizes.filter((x) => x.lean < 150 * 1024).length}/${sizes.length} under 150 KB with all three changes (the SDK then loads from the runtime at init)`,
  ]);

  // E4: cutting a note that fits one chunk: splitAtSilences runs silencedetect and copies the WAV anyway.
  const tools = new FfmpegAudioTools();
  const work = await mkdtemp(path.join(tmpdir(), 'vnt-bench-exp-'));
  try {
    const wav = path.join(work, 'note.wav');
    await tools.normalize(await makeNote(formatByLabel('m4a/aac'), 5), wav);
    const split: number[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = await mkdtemp(path.join(work, 'split-'));
      split.push((await timed(() => tools.splitAtSilences(wav, AUDIO.fastPathChunkSeconds, dir))).ms);
    }
    data.singleChunkSplit = { noteSeconds: 5, splitMs: median(split) };
    rows.push(['skip the split when a note fits one chunk (≤ 1.5 × 6 s)', `${round(median(split), 1)} ms for a 5 s note`, '0 ms', 'one ffmpeg process and a WAV copy less per short note']);

    // E5 (full runs): the local fast path's chunking on this CPU. Each pocketsphinx run loads its model
    // (~0.4 s), so more chunks than cores cost model loads without adding parallelism.
    if (!ctx.smoke) {
      const seconds = 30;
      const long = path.join(work, 'long.wav');
      await tools.normalize(await makeNote(formatByLabel('m4a/aac'), seconds, 1), long);
      const recognizer = new PocketsphinxRecognizer();
      const cores = availableParallelism();
      const chunked = async (target: number) => {
        const dir = await mkdtemp(path.join(work, 'chunks-'));
        const chunks = await tools.splitAtSilences(long, target, dir);
        const t = await timed(() => mapWithConcurrency(chunks, cores, (c) => recognizer.recognize(c.wavPath)));
        return { chunks: chunks.length, ms: t.ms };
      };
      const today = await chunked(AUDIO.fastPathChunkSeconds);
      const perCore = await chunked(seconds / cores);
      const whole = await timed(() => recognizer.recognize(long));
      data.localChunking = { noteSeconds: seconds, cores, today, perCore, wholeMs: whole.ms };
      rows.push([
        `local fast path: one chunk per core instead of ${AUDIO.fastPathChunkSeconds} s chunks (${seconds} s note, pocketsphinx)`,
        `${round(today.ms, 0)} ms in ${today.chunks} runs`,
        `${round(perCore.ms, 0)} ms in ${perCore.chunks} runs`,
        `${round(today.ms / perCore.ms, 2)}× faster recognition; whole note in one run: ${round(whole.ms, 0)} ms`,
      ]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const table: Table = {
    title: `Proposed fixes, measured in isolation (median of ${runs})`,
    header: ['change', 'today', 'with the change', 'effect'],
    rows,
  };
  return {
    suite: 'experiments',
    title: 'Experiments: what the proposed fixes would buy',
    status: 'ok',
    durationMs: performance.now() - started,
    goals: [],
    tables: [table],
    notes: [],
    data,
  };
}
