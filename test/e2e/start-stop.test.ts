/**
 * `npm start` as a user runs it: a child process tree on a port, /health within a minute, state that
 * survives a restart, and Ctrl-C (SIGINT to the terminal's process group) stopping everything.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceNoteClient } from '../../client';

const REPO = path.resolve(import.meta.dirname, '../..');
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
  const started = Date.now();
  // detached: its own process group, so SIGINT to the group is exactly what Ctrl-C in a terminal sends.
  const child = spawn('npm', ['start', '--', '--state-dir', stateDir, '--skip-packages', '--quiet'], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, child, () => output);
    const healthMs = Date.now() - started;
    const keys = JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8')) as Record<string, string>;
    const premiumKeyAccepted = await new VoiceNoteClient({ baseUrl: url, apiKey: keys.premium }).listJobs().then(() => true, () => false);

    if (stopWith === 'ctrl-c') process.kill(-child.pid!, 'SIGINT');
    else process.kill(child.pid!, 'SIGTERM');
    const exitCode = await exited;
    // npm may exit before its child has finished stopping: give the tree a moment, then look for leftovers.
    const survivors = await settledGroup(child.pid!);
    return { healthMs, exitCode, premiumKeyAccepted, survivors, output };
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  const client = new VoiceNoteClient({ baseUrl: url });
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited early (${child.exitCode}):\n${output()}`);
    const ok = await client.health().then(() => true, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no /health within 90 s:\n${output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Processes still in the process group (every child of `npm start` shares it). */
function groupMembers(pgid: number): string[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group]) => Number(group) === pgid)
    .map((fields) => fields.join(' '));
}
