/**
 * `npm start` as a user runs it, as a child process tree of its own (its own process group, like a terminal's
 * job), for the end-to-end tests that stop it as users and crashes do: Ctrl-C, SIGTERM, `kill -9`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { VoiceNoteClient } from '../../client';
import { parentOf } from '../../local/launcher-watch';
import { type DemoKeys, readDemoKeys, stateLayout } from '../../local/state-dir';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface StackProcessOptions {
  readonly port: number;
  readonly stateDir: string;
  /** Extra `npm start --` arguments. @default - none */
  readonly args?: readonly string[];
  /** Extra environment (e.g. VNT_DEBUG_HOLD_BEFORE). @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

export interface StackProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** When the process was spawned (Date.now()). */
  readonly spawnedAt: number;
  /** Resolves with the exit code, or the signal that ended npm. */
  readonly exited: Promise<string>;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once /health answers 200 (rejects if the process exits first, or after `timeoutMs`). */
  healthy(timeoutMs?: number): Promise<void>;
  /** The demo keys of its state directory. */
  keys(): Promise<DemoKeys>;
  /** What a terminal's Ctrl-C does: SIGINT to the whole process group. */
  interrupt(): void;
  /**
   * Resolves with the time (Date.now()) at which no process of the group was left: npm itself exits at once
   * on Ctrl-C, while the stack it started may still be finishing its notes.
   */
  gone(timeoutMs?: number): Promise<number>;
  /**
   * `kill -9` of every process of the stack at once: its process group and every descendant in a group of its
   * own (the engines run in their own groups). Resolves when none is left.
   */
  crash(): Promise<void>;
}

/** Spawns `npm start -- --state-dir <dir> --skip-packages --quiet` on `port`. */
export function startStackProcess(options: StackProcessOptions): StackProcess {
  const spawnedAt = Date.now();
  // detached: its own process group, so SIGINT to the group is exactly what Ctrl-C in a terminal sends.
  const child = spawn('npm', ['start', '--', '--state-dir', options.stateDir, '--skip-packages', '--quiet', ...(options.args ?? [])], {
    cwd: REPO,
    env: { ...process.env, PORT: String(options.port), ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
  const url = `http://127.0.0.1:${options.port}`;
  return {
    child,
    url,
    spawnedAt,
    exited,
    output: () => output,
    healthy: (timeoutMs = 90_000) => waitForHealth(url, child, () => output, timeoutMs),
    keys: async () => {
      const keys = await readDemoKeys(stateLayout(options.stateDir).demoKeys);
      if (keys === undefined) throw new Error(`no demo keys in ${options.stateDir}`);
      return keys;
    },
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
    gone: async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (groupMembers(child.pid!).length > 0) {
        if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs / 1000} s: ${groupMembers(child.pid!).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return Date.now();
    },
    crash: async () => {
      const doomed = [child.pid!, ...descendantsOf(child.pid!)];
      for (const pid of doomed) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // Not a group leader, or already gone.
          }
        }
      }
      const deadline = Date.now() + 10_000;
      while (doomed.some(isAlive)) {
        if (Date.now() > deadline) throw new Error(`still alive after kill -9: ${doomed.filter(isAlive).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

export async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const client = new VoiceNoteClient({ baseUrl: url });
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited early (${child.exitCode ?? child.signalCode}):\n${output()}`);
    const ok = await client.health().then(() => true, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no /health within ${timeoutMs / 1000} s:\n${output()}`);
}

export function isListening(port: number): Promise<boolean> {
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
export function groupMembers(pgid: number): string[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group]) => Number(group) === pgid)
    .map((fields) => fields.join(' '));
}

/** Every live descendant of `root`, from /proc (Linux). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie is dead, only not yet reaped by its parent.
    return state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
