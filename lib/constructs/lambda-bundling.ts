import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Repository root: entries are given repo-relative so the template metadata is machine-independent. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How every function is bundled (ServiceFunction → NodejsFunction → esbuild): one ESM file for Node 22,
 * minified, with an external source map without sources, nothing external, module-first main fields.
 *
 * The AWS SDK v3 is bundled (not taken from the runtime): the Lambda runs exactly the SDK version the tests
 * ran against, and esbuild tree-shakes it to the clients each handler imports.
 */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Source maps without embedded sources keep the zip small; the sources are in the repo.
  sourcesContent: false,
  // Bundle the SDK too (see above); an empty list overrides NodejsFunction's `@aws-sdk/*` default.
  externalModules: [],
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() for Node built-ins; ESM output needs it defined.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  logLevel: LogLevel.ERROR,
} satisfies BundlingOptions;

/** A repo-relative handler entry (the `vnt:entry` metadata) as esbuild's entry point. */
export function lambdaEntryPoint(entry: string): string {
  return path.join(PROJECT_ROOT, entry);
}

/**
 * LAMBDA_BUNDLING as esbuild's API takes it, translated the way NodejsFunction translates it into esbuild's
 * command line: for tools that bundle a function without a CDK synth (the bundle check, the cold-start bench).
 * Add `entryPoints` (see lambdaEntryPoint) and `outfile`, or `write: false`.
 * A bundling option added above without a translation here is a type error, so the two cannot drift.
 */
export function lambdaEsbuildOptions(): BuildOptions {
  const { format, target, minify, sourceMap, sourcesContent, externalModules, mainFields, banner, logLevel, ...untranslated } =
    LAMBDA_BUNDLING;
  const nothingUntranslated: Record<string, never> = untranslated;
  return {
    ...nothingUntranslated,
    bundle: true,
    platform: 'node',
    format: format === OutputFormat.ESM ? 'esm' : 'cjs',
    target,
    minify,
    sourcemap: sourceMap,
    sourcesContent,
    external: externalModules,
    mainFields,
    banner: { js: banner },
    logLevel: logLevel === LogLevel.ERROR ? 'error' : 'warning',
    absWorkingDir: PROJECT_ROOT,
  };
}
