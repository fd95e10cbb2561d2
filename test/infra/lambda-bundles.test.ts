import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config/stages';
import { lambdaEntryPoint, lambdaEsbuildOptions, PROJECT_ROOT } from '../../lib/constructs/lambda-bundling';
import { ServiceFunction } from '../../lib/constructs/service-function';
import { createDeployment } from '../../lib/stacks/deployment';
import { cdkJsonContext } from './helpers/synth';

/** Inputs that are local-stack code, by repo-relative path as esbuild's metafile names them. */
const LOCAL_ONLY_INPUTS: readonly { readonly what: string; readonly path: RegExp }[] = [
  { what: 'local-stack code (a local/ directory of ours)', path: /^(?!node_modules\/)(.*\/)?local\// },
  { what: 'eld, the local language identifier', path: /^node_modules\/eld\// },
];
/** The local engines by name: no code that runs or names them belongs in a Lambda. */
const LOCAL_ENGINE_NAMES = /pocketsphinx|apertium/i;

interface LambdaBundle {
  readonly entry: string;
  readonly code: string;
  readonly inputs: readonly string[];
}

/**
 * Each function the app deploys, bundled in memory as its ServiceFunction bundles it (LAMBDA_BUNDLING). One
 * esbuild call for all entries (still one self-contained bundle each) parses the shared modules once.
 */
async function bundleDeployedFunctions(): Promise<LambdaBundle[]> {
  // Bundling skipped in the synth: esbuild runs below, in-process, instead of one CLI run per asset.
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  createDeployment(app, { stage: stageConfig('prod'), serviceVersion: '0.0.0-test' });
  const entries = [
    ...new Set(app.node.findAll().flatMap((construct) => (construct instanceof ServiceFunction ? [construct.entryPath] : []))),
  ];
  const result = await build({
    ...lambdaEsbuildOptions(),
    entryPoints: entries.map(lambdaEntryPoint),
    outdir: path.join(tmpdir(), 'vnt-lambda-bundles'),
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
  });
  const outputs = Object.entries((result.metafile as Metafile).outputs);
  return entries.sort().map((entry) => {
    const [outputPath, output] = outputs.find(([, o]) => o.entryPoint === entry)!;
    const file = result.outputFiles.find((f) => f.path === path.resolve(PROJECT_ROOT, outputPath))!;
    return { entry, code: file.text, inputs: Object.keys(output.inputs) };
  });
}

describe('Lambda bundles', () => {
  let bundles: LambdaBundle[];

  beforeAll(async () => {
    bundles = await bundleDeployedFunctions();
    console.info(
      ['Lambda bundle sizes (minified, without the source map):']
        .concat(bundles.map((b) => `  ${b.entry}: ${(Buffer.byteLength(b.code) / 1024).toFixed(1)} KB`))
        .join('\n'),
    );
  });

  it('are built for every deployed function', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(20);
    expect(bundles.map((b) => b.entry)).toEqual(expect.arrayContaining(['functions/pipeline/fast-transcribe.ts', 'functions/pipeline/translate.ts']));
  });

  it('contain no local engine code (local/, eld, pocketsphinx, apertium)', () => {
    const offences = bundles.flatMap((bundle) => [
      ...bundle.inputs.flatMap((input) =>
        LOCAL_ONLY_INPUTS.filter((rule) => rule.path.test(input)).map((rule) => `${bundle.entry} bundles ${input} (${rule.what})`),
      ),
      ...[...new Set(bundle.code.match(new RegExp(LOCAL_ENGINE_NAMES, 'gi')) ?? [])].map(
        (name) => `${bundle.entry} mentions ${name}`,
      ),
    ]);

    expect(offences).toEqual([]);
  });
});
