/**
 * `npm run smoke` against the embedded local stack, as CI runs it after `npm start` and a user after
 * `cdk deploy`: the CLI in its own process, through the contract proxy, with the premium demo key. Every check
 * passes and a one-note load run completes; a key the API refuses fails the run with a clear row.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-stack';

const REPO = path.resolve(import.meta.dirname, '../..');

/** Every functional check the smoke test makes, by the name its row shows. */
const CHECKS = [
  'health',
  'usage readable',
  'note completed',
  'followed over WebSocket',
  'transcript',
  'language',
  'translation',
  'usage +1',
  'cached repeat',
  'history',
  'delete',
  'bad file refused',
  'over-size upload refused by storage',
];
const STAGES = ['health', 'upload URL', 'conversion', 'recognition', 'translation', 'whole note'];

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** The CLI as a user runs it: its own process, nothing found through the environment. */
function smoke(args: string[]) {
  const { PORT: _port, VNT_API_URL: _url, VNT_API_KEY: _key, VNT_WS_URL: _ws, ...inherited } = process.env;
  const cli = ['tsx', 'smoke/cli.ts', '--api', stack.apiUrl, '--ws', stack.webSocketUrl, ...args];
  return promisify(execFile)('npx', cli, { cwd: REPO, env: inherited }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const row = (name: string, outcome: string) => new RegExp(`^${name.replace(/[+]/g, '\\$&')}\\s{2,}${outcome}\\s`, 'm');

describe('npm run smoke', () => {
  it('passes every check against the local stack, prints each stage against its target, and runs --load 1 (one note: the load path end to end; its statistics are unit-tested)', { timeout: 240_000 }, async () => {
    const result = await smoke(['--key', stack.keys.premium, '--load', '1']);

    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const check of CHECKS) expect(result.stdout, check).toMatch(row(check, 'PASS'));
    expect(result.stdout).not.toMatch(/\s(FAIL|SKIP)\s/);
    for (const stage of STAGES) expect(result.stdout, stage).toMatch(new RegExp(`^${stage}\\s+\\d+ ms\\s+< \\d+ ms\\s+(met|MISSED)$`, 'm'));
    expect(result.stdout).toMatch(/^1 note at once: 1 completed \(0 from the cache\), 0 failed, all done in [\d.]+ s → [\d.]+ notes\/min$/m);
    expect(result.stdout).toMatch(/^whole note\s+\d+ ms\s+\d+ ms$/m);
    expect(result.stdout).toMatch(/^PASSED · 13\/13 checks passed/m);
    // Nothing left behind: every job the run created was deleted.
    expect((await stack.client(stack.keys.premium).listJobs()).items).toEqual([]);
  });

  it('fails with a clear row, and a non-zero exit, when the API refuses the key', async () => {
    const result = await smoke(['--key', 'not-a-key-of-this-deployment']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(row('health', 'PASS'));
    expect(result.stdout).toMatch(/^usage readable\s+FAIL\s+API_KEY_INVALID: /m);
    expect(result.stdout).toMatch(row('note completed', 'SKIP'));
    expect(result.stdout).toMatch(/^FAILED · 1\/13 checks passed/m);
  });
});
