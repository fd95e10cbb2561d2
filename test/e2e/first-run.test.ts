/**
 * The first minutes on a fresh clone: the stack builds the missing web client at start, `/health` answers only
 * once everything a script reads next is in place (keys.json, stack.json, the web client), and the CLIs find
 * the stack on its random port through its state directory, with no --api, translating a sample from
 * samples/; with the stack gone they say so. A second start on a state directory in use is refused.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStackRunningError, recordRunningStack } from '../../local/running-stack';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { stateLayout } from '../../local/state-dir';
import { freePort } from '../helpers/free-port';

const REPO = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.join(REPO, 'samples', 'ill-disposed.m4a');

let workDir: string;
let stateDir: string;
let webRoot: string;
let stack: LocalStack;
/** What was on disk when /health first answered 200 (checked synchronously on that answer). */
let atFirstHealth: { keys: boolean; runningStack: boolean; web: boolean } | undefined;
let healthStatuses: number[];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-first-run-'));
  stateDir = path.join(workDir, 'state');
  webRoot = path.join(workDir, 'web-dist');
  const port = await freePort();
  const layout = stateLayout(stateDir);

  // A script polling /health while the stack starts, as `npm start & wait-for-health; cat .local/keys.json` does.
  healthStatuses = [];
  let failed = false;
  const poller = (async () => {
    while (!failed && atFirstHealth === undefined) {
      const status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
      if (status === 200) {
        atFirstHealth = { keys: existsSync(layout.demoKeys), runningStack: existsSync(layout.runningStack), web: existsSync(path.join(webRoot, 'index.html')) };
      }
      if (healthStatuses.at(-1) !== status) healthStatuses.push(status);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    stack = await startLocalStack({ port, stateDir, webRoot, quiet: true });
  } catch (error) {
    failed = true;
    throw error;
  }
  await poller;
});

afterAll(async () => {
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A CLI as a user runs it in another terminal: no PORT or VNT_API_URL, no --api. */
function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { PORT: _port, VNT_API_URL: _url, VNT_API_KEY: _key, ...inherited } = process.env;
  return promisify(execFile)('npx', ['tsx', script, ...args], { cwd: REPO, env: { ...inherited, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('a fresh start', () => {
  it('answers /health only once the demo keys, stack.json and the web client are in place', () => {
    expect(healthStatuses).toContain(503);
    expect(atFirstHealth).toEqual({ keys: true, runningStack: true, web: true });
  });

  it('builds the missing web client and serves it at /', async () => {
    const page = await fetch(`${stack.url}/`, { headers: { accept: 'text/html' } });

    expect(stack.web).toMatchObject({ status: 'built', outDir: webRoot });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<script type="module" src="assets\/app-\w+\.js"><\/script>/);
  });
});

describe('a second start on the same state directory', () => {
  it('is refused before it touches anything, even with --fresh', async () => {
    const busy = path.join(workDir, 'busy');
    // Another live process (vitest's own parent) runs a stack from this state directory.
    const running = { url: 'http://127.0.0.1:41500', webSocketUrl: 'ws://127.0.0.1:41500/ws', port: 41_500, pid: process.ppid };
    await mkdir(busy);
    await recordRunningStack(busy, running);
    await writeFile(stateLayout(busy).demoKeys, '{}');

    await expect(startLocalStack({ port: 0, stateDir: busy, fresh: true, quiet: true })).rejects.toThrow(
      new LocalStackRunningError(busy, running),
    );
    expect(existsSync(stateLayout(busy).demoKeys)).toBe(true);
  });
});

describe('the CLIs without --api', () => {
  it('npm run translate finds the stack on its port and translates a sample note', async () => {
    const { code, stdout } = await runCli('local/translate-cli.ts', [SAMPLE, '--to', 'es', '--state-dir', stateDir, '--json']);

    expect(code).toBe(0);
    const outcome = JSON.parse(stdout) as { status: string; result: { transcript: string; translation: string } };
    expect(outcome.status).toBe('completed');
    // samples/README.md: pocketsphinx's reading of "…unless to be rather cold-hearted and rather selfish…".
    expect(outcome.result.transcript).toContain('cold hearted and rather selfish');
    expect(outcome.result.translation).toMatch(/egoísta/);
  }, 90_000);

  it('npm run keys finds it too', async () => {
    const { code, stdout } = await runCli('bin/keys.ts', ['list', '--state-dir', stateDir, '--json']);

    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { name: string }[]).map((key) => key.name).sort()).toEqual(['demo-basic', 'demo-free', 'demo-premium']);
  }, 60_000);

  it('say "is `npm start` running?" and exit non-zero once the stack is gone', async () => {
    await stack.stop();
    expect(existsSync(stateLayout(stateDir).runningStack)).toBe(false);
    // The stopped stack's port, so that no other stack on this machine can answer instead.
    const env = { PORT: String(stack.port) };

    const [translate, keys] = await Promise.all([
      runCli('local/translate-cli.ts', [SAMPLE, '--state-dir', stateDir], env),
      runCli('bin/keys.ts', ['list', '--state-dir', stateDir], env),
    ]);

    const message = `Cannot reach the local stack at ${stack.url} (from PORT): is \`npm start\` running?`;
    expect(translate.code).toBe(3);
    expect(translate.stderr).toContain(message);
    expect(keys.code).toBe(1);
    expect(keys.stderr).toContain(message);
  }, 60_000);
});
