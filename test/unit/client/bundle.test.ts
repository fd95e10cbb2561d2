import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';

/**
 * The client must bundle for any JavaScript platform: browsers, React Native (Metro) and Node 22. With
 * platform 'neutral' esbuild resolves no Node built-ins, so a `node:` import or a runtime import of server
 * code would fail the build or show up among its inputs.
 */
describe('client bundle', () => {
  it.each(['neutral', 'browser'] as const)('builds for platform %s from client/ and two data modules only (audio types, job statuses)', async (platform) => {
    const result = await build({
      entryPoints: ['client/index.ts'],
      bundle: true,
      format: 'esm',
      platform,
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => !input.startsWith('client/'))).toEqual(['lib/config/audio-types.ts', 'lib/config/job-statuses.ts']);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bnode:|\brequire\(/);
    expect(result.warnings).toEqual([]);
  });
});
