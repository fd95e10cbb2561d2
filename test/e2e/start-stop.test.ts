/**
 * `npm start` as a user runs it: a child process tree on a port, /health within a minute, state that
 * survives a restart, and Ctrl-C (SIGINT to the terminal's process group) stopping everything.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceNoteClient } from '../../client';
import { freePort, groupMembers, isListening, startStackProcess } from '../helpers/stack-process';

let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-start-'));
});

afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves /health within a minute, keeps its keys across restarts, and Ctrl-C or SIGTERM leave nothing behind', async () => {
    const port = await freePort();
    const first = await startAndStop(port, 'ctrl-c');
    const keys = JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8')) as Record<string, string>;
    // A process manager's SIGTERM goes to npm alone (npm's `sh -c` does not pass it on).
    const second = await startAndStop(port, 'sigterm-to-npm');

    expect(first.healthMs).toBeLessThan(60_000);
    expect(['0', 'SIGINT']).toContain(first.exitCode);
    expect(['0', 'SIGTERM']).toContain(second.exitCode);
    expect(Object.keys(keys).sort()).toEqual(['basic', 'free', 'premium']);
    // The second start reused the state: same demo keys, still accepted.
    expect(JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8'))).toEqual(keys);
    expect(second.premiumKeyAccepted).toBe(true);
    expect(await isListening(port)).toBe(false);
    expect(first.survivors).toEqual([]);
    expect(second.survivors).toEqual([]);
    expect(first.output).toContain('stopping the local stack');
  }, 180_000);
});

interface RunResult {
  readonly healthMs: number;
  /** Exit code, or the signal that ended npm (a shell's Ctrl-C ends npm itself with SIGINT). */
  readonly exitCode: string;
  readonly premiumKeyAccepted: boolean;
  /** Processes of the group still alive after the exit. */
  readonly survivors: string[];
  readonly output: string;
}

async function settledGroup(pgid: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let members = groupMembers(pgid);
  while (members.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    members = groupMembers(pgid);
  }
  return members;
}

async function startAndStop(port: number, stopWith: 'ctrl-c' | 'sigterm-to-npm'): Promise<RunResult> {
  const stack = startStackProcess({ port, stateDir });
  const { child } = stack;
  try {
    await stack.healthy();
    const healthMs = Date.now() - stack.spawnedAt;
    const keys = await stack.keys();
    const premiumKeyAccepted = await new VoiceNoteClient({ baseUrl: stack.url, apiKey: keys.premium }).listJobs().then(() => true, () => false);

    if (stopWith === 'ctrl-c') stack.interrupt();
    else process.kill(child.pid!, 'SIGTERM');
    const exitCode = await stack.exited;
    // npm may exit before its child has finished stopping: give the tree a moment, then look for leftovers.
    const survivors = await settledGroup(child.pid!);
    return { healthMs, exitCode, premiumKeyAccepted, survivors, output: stack.output() };
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}
