/**
 * `npm start` as a user runs it: a child process tree on a port, /health within a minute, the web client at
 * `/`, the banner's commands working as printed, state that survives a restart, and Ctrl-C (SIGINT to the
 * terminal's process group) stopping everything.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceNoteClient } from '../../client';
import { freePort } from '../helpers/free-port';
import { groupMembers, isListening, REPO, startStackProcess } from '../helpers/stack-process';

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
    const first = await startAndStop(port, 'ctrl-c', tryAsAUser);
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
    // The web client (built at start if missing or stale) and every `npm run` the banner suggests, as printed.
    expect(first.tried?.page).toMatchObject({ status: 200, html: true });
    expect(first.tried?.commands.map(({ command }) => command)).toEqual([
      expect.stringMatching(/^npm run translate -- samples\/\S+ --to es --state-dir /),
      expect.stringMatching(/^npm run keys -- list --state-dir /),
    ]);
    for (const run of first.tried!.commands) expect(run).toMatchObject({ code: 0 });
    expect(first.tried?.commands[0]?.stdout).toMatch(/^Translation: \S+/m);
  }, 240_000);
});

describe('two npm start at once on one state directory', () => {
  it('one serves, the other is refused with a clear message, even with --fresh, and the state is the winner\'s', async () => {
    const shared = path.join(stateDir, 'shared');
    const [portA, portB] = [await freePort(), await freePort()];
    // Both get past the start's stack.json check together: stack.json is written seconds later, once a stack
    // can serve. Found by hand on the merged main: both served, on one state directory the --fresh one had wiped.
    const starts = [startStackProcess({ port: portA, stateDir: shared }), startStackProcess({ port: portB, stateDir: shared, args: ['--fresh'] })];
    try {
      const outcomes = await Promise.all(starts.map((stack) => Promise.race([stack.healthy().then(() => 'serving'), stack.exited.then((code) => `exited ${code}`)])));

      expect([...outcomes].sort()).toEqual(['exited 1', 'serving']);
      const winner = starts[outcomes.indexOf('serving')]!;
      const loser = starts[outcomes.indexOf('exited 1')]!;
      expect(loser.output()).toMatch(/A local stack (is starting, or finishing its notes after Ctrl-C,|already runs) from \S+ \(pid \d+\)[^\n]*: stop it first/);
      expect(loser.output()).not.toMatch(/at \S+\.js:\d+/);
      const running = JSON.parse(await readFile(path.join(shared, 'stack.json'), 'utf8')) as { url: string };
      expect(running.url).toBe(winner.url);
      const keys = await winner.keys();
      expect(await new VoiceNoteClient({ baseUrl: winner.url, apiKey: keys.premium }).listJobs().then(() => true, () => false)).toBe(true);
    } finally {
      for (const stack of starts) if (stack.child.exitCode === null && stack.child.signalCode === null) stack.interrupt();
      await Promise.all(starts.map((stack) => stack.gone()));
    }
  }, 240_000);
});

interface Tried {
  readonly page: { readonly status: number; readonly html: boolean };
  readonly commands: readonly { readonly command: string; readonly code: number; readonly stdout: string }[];
}

/** Opens `/` as a browser does and runs the banner's `npm run` lines in a shell without PORT (another terminal). */
async function tryAsAUser(url: string, output: () => string): Promise<Tried> {
  // /health is ready a moment before the banner is printed.
  for (const deadline = Date.now() + 10_000; !output().includes('Ctrl-C stops everything') && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const response = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
  const page = { status: response.status, html: (await response.text()).startsWith('<!doctype html>') };
  const { PORT: _port, VNT_API_URL: _url, ...env } = process.env;
  const commands = [];
  for (const command of output().match(/npm run .*$/gm) ?? []) {
    const run = await promisify(execFile)('sh', ['-c', command], { cwd: REPO, env }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: `${error.stdout}${error.stderr}` }),
    );
    commands.push({ command, ...run });
  }
  return { page, commands };
}

interface RunResult {
  readonly healthMs: number;
  /** Exit code, or the signal that ended npm (a shell's Ctrl-C ends npm itself with SIGINT). */
  readonly exitCode: string;
  readonly premiumKeyAccepted: boolean;
  /** Processes of the group still alive after the exit. */
  readonly survivors: string[];
  readonly output: string;
  readonly tried?: Tried;
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

async function startAndStop(
  port: number,
  stopWith: 'ctrl-c' | 'sigterm-to-npm',
  whileRunning?: (url: string, output: () => string) => Promise<Tried>,
): Promise<RunResult> {
  const stack = startStackProcess({ port, stateDir });
  const { child } = stack;
  try {
    await stack.healthy();
    const healthMs = Date.now() - stack.spawnedAt;
    const keys = await stack.keys();
    const premiumKeyAccepted = await new VoiceNoteClient({ baseUrl: stack.url, apiKey: keys.premium }).listJobs().then(() => true, () => false);
    const tried = await whileRunning?.(stack.url, stack.output);

    if (stopWith === 'ctrl-c') stack.interrupt();
    else process.kill(child.pid!, 'SIGTERM');
    const exitCode = await stack.exited;
    // npm may exit before its child has finished stopping: give the tree a moment, then look for leftovers.
    const survivors = await settledGroup(child.pid!);
    return { healthMs, exitCode, premiumKeyAccepted, survivors, output: stack.output(), ...(tried && { tried }) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}
