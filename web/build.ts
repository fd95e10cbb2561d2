/**
 * Builds the browser client into web/dist:
 * - assets/app-<hash>.js (+ lazily loaded chunks) and assets/app-<hash>.css: minified, content-hashed,
 *   safe to serve with `Cache-Control: immutable`;
 * - index.html referencing them, sw.js (the service worker, stable name, knows the shell's files) and
 *   config.json (same-origin defaults; a deployment overwrites it): these three must be revalidated;
 * - api.html, the API reference rendered from docs/openapi.json (web/api-reference.ts), deployed and served
 *   with the client but no part of it.
 * Prints raw, gzip and brotli sizes and the first-load total (html + entry js + css + config + favicon).
 *
 * Usage: `npm run build:web` (or `tsx web/build.ts --out <dir>`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { API_REFERENCE_PATH, buildApiReference } from './api-reference';
import { DEFAULT_CONFIG, type ClientConfig } from './src/config';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const SRC_DIR = join(WEB_DIR, 'src');
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist');
/** Hashed files live here: a CDN can cache everything under it forever. */
export const IMMUTABLE_PREFIX = 'assets/';
/** Browsers the bundle targets: anything with MediaRecorder, ES2022 and service workers. */
const TARGETS = ['es2022', 'chrome100', 'firefox100', 'safari15.4', 'edge100'];

export interface WebBuildOptions {
  /** @default web/dist */
  readonly outDir?: string;
  /** Written to config.json. @default same origin, socket at /ws */
  readonly config?: ClientConfig;
}

export interface BuiltFile {
  /** Path relative to outDir, with forward slashes. */
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
}

export interface WebBuildReport {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
  /** What a first visit downloads before it is interactive. */
  readonly firstLoad: { readonly paths: readonly string[]; readonly bytes: number; readonly gzipBytes: number; readonly brotliBytes: number };
  /** The API reference page (not measured compressed: brotli at quality 11 takes seconds on it). */
  readonly apiReference: { readonly path: string; readonly bytes: number; readonly cached: boolean };
}

export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildReport> {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const app = await build({
    entryPoints: { app: join(SRC_DIR, 'main.ts'), styles: join(SRC_DIR, 'styles.css') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    target: TARGETS,
    minify: true,
    sourcemap: 'linked',
    entryNames: `${IMMUTABLE_PREFIX}[name]-[hash]`,
    chunkNames: `${IMMUTABLE_PREFIX}[name]-[hash]`,
    assetNames: `${IMMUTABLE_PREFIX}[name]-[hash]`,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = outputPaths(app.metafile, outDir);
  const entryJsOut = outputFor(app.metafile, 'main.ts');
  const entryJs = rel(outDir, entryJsOut);
  const entryCss = rel(outDir, outputFor(app.metafile, 'styles.css'));
  // Chunks the entry imports statically load on first visit too: preload them to avoid a waterfall.
  const staticChunks = staticImports(app.metafile, entryJsOut).map((p) => rel(outDir, p));

  const favicon = await writeHashedAsset(outDir, 'favicon.svg');
  const template = await readFile(join(SRC_DIR, 'index.html'), 'utf8');
  const preloads = staticChunks.map((p) => `<link rel="modulepreload" href="${p}">`).join('\n');
  const html = template
    .replace('%CSS%', entryCss)
    .replace('%JS%', entryJs)
    .replace('%PRELOADS%', preloads)
    .replace('%FAVICON%', favicon);
  if (html.includes('%')) throw new Error('index.html has an unreplaced placeholder');
  await writeFile(join(outDir, 'index.html'), html);
  await writeFile(join(outDir, 'config.json'), `${JSON.stringify(options.config ?? DEFAULT_CONFIG)}\n`);

  // The worker precaches the shell; its version changes with any shell file, so browsers install the new one.
  const shell = ['./', 'config.json', favicon, ...outputs.filter((p) => !p.endsWith('.map'))];
  const version = createHash('sha256').update(html).update(shell.join('\n')).digest('hex').slice(0, 12);
  await build({
    entryPoints: [join(SRC_DIR, 'sw.ts')],
    outfile: join(outDir, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: TARGETS,
    minify: true,
    legalComments: 'none',
    define: { __SHELL__: JSON.stringify(shell), __VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });

  const apiReferenceFile = join(outDir, API_REFERENCE_PATH);
  const { cached } = await buildApiReference(apiReferenceFile);

  const paths = ['index.html', 'config.json', 'sw.js', favicon, ...outputs];
  const files = await Promise.all(paths.map((path) => measure(outDir, path)));
  const firstLoadPaths = ['index.html', entryJs, ...staticChunks, entryCss, 'config.json', favicon];
  const firstLoadFiles = files.filter((f) => firstLoadPaths.includes(f.path));
  const sum = (key: 'bytes' | 'gzipBytes' | 'brotliBytes'): number => firstLoadFiles.reduce((total, f) => total + f[key], 0);
  return {
    outDir,
    files,
    firstLoad: { paths: firstLoadPaths, bytes: sum('bytes'), gzipBytes: sum('gzipBytes'), brotliBytes: sum('brotliBytes') },
    apiReference: { path: API_REFERENCE_PATH, bytes: (await stat(apiReferenceFile)).size, cached },
  };
}

/** Compressed sizes as a CDN would send them: gzip -9 and brotli quality 11. */
export function compressedSizes(content: Buffer): { gzipBytes: number; brotliBytes: number } {
  return {
    gzipBytes: gzipSync(content, { level: 9 }).length,
    brotliBytes: brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Copies a static file from web/src into assets/ under a content-hashed name; returns that path. */
async function writeHashedAsset(outDir: string, fileName: string): Promise<string> {
  const content = await readFile(join(SRC_DIR, fileName));
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8).toUpperCase();
  const path = `${IMMUTABLE_PREFIX}${fileName.replace(/(\.[^.]+)$/, `-${hash}$1`)}`;
  await mkdir(join(outDir, IMMUTABLE_PREFIX), { recursive: true });
  await writeFile(join(outDir, path), content);
  return path;
}

async function measure(outDir: string, path: string): Promise<BuiltFile> {
  const content = await readFile(join(outDir, path));
  return { path, bytes: content.length, ...compressedSizes(content) };
}

function outputFor(metafile: Metafile, sourceFile: string): string {
  const found = Object.entries(metafile.outputs).find(([, out]) => out.entryPoint?.endsWith(`/${sourceFile}`));
  if (!found) throw new Error(`esbuild produced no output for ${sourceFile}`);
  return found[0];
}

/** Every output reached from `output` through static imports (not dynamic `import()`). */
function staticImports(metafile: Metafile, output: string, seen = new Set<string>()): string[] {
  for (const imported of metafile.outputs[output]?.imports ?? []) {
    if (imported.kind !== 'import-statement' || imported.external || seen.has(imported.path)) continue;
    seen.add(imported.path);
    staticImports(metafile, imported.path, seen);
  }
  return [...seen];
}

function outputPaths(metafile: Metafile, outDir: string): string[] {
  return Object.keys(metafile.outputs).map((p) => rel(outDir, p));
}

function rel(outDir: string, path: string): string {
  return relative(outDir, resolve(path)).split('\\').join('/');
}

export function formatReport(report: WebBuildReport): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`.padStart(9);
  const lines = report.files.map((f) => `${f.path.padEnd(40)}${kb(f.bytes)}${kb(f.gzipBytes)}${kb(f.brotliBytes)}`);
  const { firstLoad, apiReference } = report;
  return [
    `${'file'.padEnd(40)}${'raw'.padStart(9)}${'gzip'.padStart(9)}${'brotli'.padStart(9)}`,
    ...lines,
    `${'first load (html+js+css+config+icon)'.padEnd(40)}${kb(firstLoad.bytes)}${kb(firstLoad.gzipBytes)}${kb(firstLoad.brotliBytes)}`,
    `${`${apiReference.path} (API reference${apiReference.cached ? ', cached' : ''})`.padEnd(40)}${kb(apiReference.bytes)}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outFlag = process.argv.indexOf('--out');
  const report = await buildWeb({ outDir: outFlag > 0 ? process.argv[outFlag + 1] : undefined });
  console.log(`web client built into ${relative(process.cwd(), report.outDir) || '.'}\n${formatReport(report)}`);
}
