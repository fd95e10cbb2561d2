import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cannotReachLocalStack,
  findRunningStack,
  forgetRunningStack,
  LocalStackRunningError,
  lockStateDir,
  processStartOf,
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

describe('a pid reused after a crash', () => {
  // Found by hand on the merged main: a stack.json left by a kill -9 whose pid another process has since been
  // given (a reboot makes it likely) made every `npm start` refuse, "already runs … stop it first", forever.
  it('is not taken for the stack that crashed: neither its stack.json nor its start lock blocks a start', async () => {
    const other = spawn('sleep', ['30']);
    try {
      const crashed = { ...stackOn(41_003, other.pid!), processStart: 'an-earlier-boot:1' };
      await recordRunningStack(stateDir, crashed);
      expect(await findRunningStack(stateDir)).toBeUndefined();
      expect(await resolveLocalApi({ env: {}, stateDir })).toEqual({ url: 'http://127.0.0.1:3000', source: 'default' });

      await writeFile(stateLayout(stateDir).stateLock, `${other.pid} an-earlier-boot:1\n`);
      const release = await lockStateDir(stateDir);
      await release();
    } finally {
      other.kill();
    }
  });

  it('still refuses a start while the process that took the lock runs', async () => {
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(stateLayout(stateDir).stateLock, `${other.pid} ${processStartOf(other.pid!) ?? ''}\n`);
      await expect(lockStateDir(stateDir)).rejects.toThrow(LocalStackRunningError);
    } finally {
      other.kill();
    }
  });
});

describe('a stack killed with kill -9 and not yet reaped (a zombie)', () => {
  // Found by crash-recovery.test.ts: the start after a kill -9 was refused, "already runs … (pid N)", while
  // init had not yet reaped the killed stack; where a container's pid 1 never reaps, it would be refused forever.
  it('is gone: its stack.json does not block a start', async () => {
    // The shell becomes `sleep 5` before its child `sleep 0.2` exits, and sleep never waits for it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 5']);
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (data: Buffer) => resolve(data.toString()))));
      for (let tries = 0; !/\) Z /.test(await readFile(`/proc/${zombie}/stat`, 'utf8')) && tries < 150; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await readFile(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);

      await recordRunningStack(stateDir, { ...stackOn(41_005, zombie), processStart: processStartOf(zombie) });
      expect(await findRunningStack(stateDir)).toBeUndefined();
    } finally {
      parent.kill();
    }
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
