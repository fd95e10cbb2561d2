import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cannotReachLocalStack,
  findRunningStack,
  forgetRunningStack,
  recordRunningStack,
  resolveLocalApi,
} from '../../../local/running-stack';
import { stateLayout } from '../../../local/state-dir';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'vnt-running-'));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

const stackOn = (port: number, pid = process.pid) => ({
  url: `http://127.0.0.1:${port}`,
  webSocketUrl: `ws://127.0.0.1:${port}/ws`,
  port,
  pid,
});

/** The pid of a process that has exited: a stack.json left by a crash names one. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('the running stack file', () => {
  it('is private, found while its process lives, and removed by its own stack only', async () => {
    await recordRunningStack(stateDir, stackOn(41_001));

    expect((await stat(stateLayout(stateDir).runningStack)).mode & 0o777).toBe(0o600);
    expect(await findRunningStack(stateDir)).toEqual(stackOn(41_001));
    await forgetRunningStack(stateDir, process.pid + 1);
    expect(await findRunningStack(stateDir)).toBeDefined();
    await forgetRunningStack(stateDir);
    expect(await findRunningStack(stateDir)).toBeUndefined();
  });

  it('is ignored when its process is gone (a crash) or it cannot be read', async () => {
    await recordRunningStack(stateDir, stackOn(41_002, deadPid()));
    expect(await findRunningStack(stateDir)).toBeUndefined();

    await writeFile(stateLayout(stateDir).runningStack, '{"url":');
    expect(await findRunningStack(stateDir)).toBeUndefined();
  });
});

describe('resolveLocalApi', () => {
  const env = { VNT_API_URL: 'http://127.0.0.1:41100', PORT: '41200' };

  it('takes the flag, then VNT_API_URL, then PORT, then the running stack, then the default port', async () => {
    await recordRunningStack(stateDir, stackOn(41_300));

    expect(await resolveLocalApi({ flag: 'http://127.0.0.1:41000', env, stateDir })).toEqual({ url: 'http://127.0.0.1:41000', source: '--api' });
    expect(await resolveLocalApi({ env, stateDir })).toEqual({ url: 'http://127.0.0.1:41100', source: 'VNT_API_URL' });
    expect(await resolveLocalApi({ env: { PORT: '41200' }, stateDir })).toEqual({ url: 'http://127.0.0.1:41200', source: 'PORT' });
    expect(await resolveLocalApi({ env: {}, stateDir })).toEqual({ url: 'http://127.0.0.1:41300', source: 'stack.json' });
    await forgetRunningStack(stateDir);
    expect(await resolveLocalApi({ env: {}, stateDir })).toEqual({ url: 'http://127.0.0.1:3000', source: 'default' });
  });

  it('skips a stack.json left behind by a crashed stack', async () => {
    await recordRunningStack(stateDir, stackOn(41_400, deadPid()));
    expect(await resolveLocalApi({ env: {}, stateDir })).toEqual({ url: 'http://127.0.0.1:3000', source: 'default' });
  });
});

describe('cannotReachLocalStack', () => {
  it('names the URL, where it came from, and what to do', () => {
    expect(cannotReachLocalStack('http://127.0.0.1:3000', 'default')).toBe(
      'Cannot reach the local stack at http://127.0.0.1:3000: is `npm start` running?',
    );
    expect(cannotReachLocalStack('http://127.0.0.1:4000', 'PORT')).toBe(
      'Cannot reach the local stack at http://127.0.0.1:4000 (from PORT): is `npm start` running?',
    );
  });
});
