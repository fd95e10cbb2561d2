import { describe, expect, it } from 'vitest';
import { bucketOf, categorize, categoryOf, summarizeProfile } from '../../../bench/lib/cpu-profile';

const ROOT = '/repo/';

describe('CPU profile summary', () => {
  it('buckets frames by npm package, project file or runtime', () => {
    expect(bucketOf('file:///repo/node_modules/@smithy/core/dist-cjs/index.js', 'f', ROOT)).toBe('@smithy/core');
    expect(bucketOf('file:///repo/node_modules/a/node_modules/dynalite/db/index.js', 'f', ROOT)).toBe('dynalite');
    expect(bucketOf('file:///repo/functions/api/health.ts', 'f', ROOT)).toBe('functions/api/health.ts');
    expect(bucketOf('node:internal/async_hooks', 'f', ROOT)).toBe('node:internal');
    expect(bucketOf('', '(garbage collector)', ROOT)).toBe('(garbage collector)');
    expect(bucketOf('', 'writev', ROOT)).toBe('(native)');
  });

  it('sums self time per bucket from samples and time deltas', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'send', url: 'file:///repo/node_modules/@smithy/core/x.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [1000, 1000, 5000, 2000],
    };
    const shares = summarizeProfile(profile, ROOT);
    expect(shares[0]).toMatchObject({ name: '(idle)', selfMs: 5 });
    expect(shares.find((s) => s.name === '@smithy/core')?.selfMs).toBe(4);
    const byCategory = categorize(shares);
    expect(byCategory).toEqual([{ name: 'AWS SDK v3 (@smithy, @aws-sdk)', selfMs: 4, share: 1 }]);
  });

  it('charges promise-hook frames to the async hook that enabled them', () => {
    expect(categoryOf('node:internal promiseInitHookWithDestroyTracking:335')).toMatch(/cls-hooked/);
    expect(categoryOf('(native) registerDestroyHook:0')).toMatch(/cls-hooked/);
    expect(categoryOf('node:internal nextTick:111')).toMatch(/Node\.js runtime/);
    expect(categoryOf('functions/api/create-upload.ts createUpload:40')).toMatch(/our handlers/);
  });
});
