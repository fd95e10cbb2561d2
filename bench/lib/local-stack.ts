import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../functions/jobs/job';
import type { TierName } from '../../lib/config/tiers';
import { LocalKeyProvisioner } from '../../local/gateway/local-key-provisioner';
import { readAdminToken, stateLayout } from '../../local/state-dir';

export interface BenchStack {
  readonly url: string;
  readonly webSocketUrl: string;
  readonly keys: Readonly<Record<TierName, string>>;
  /** Wall ms from spawn to ready (process start, tsx compile, emulators, synth/ASL, key provisioning). */
  readonly startMs: number;
  /** The stored job record (with the pipeline's stage timings), read inside the stack process. */
  jobRecord(jobId: string): Promise<Job | undefined>;
  /** Starts a V8 CPU profile of the stack process. */
  startProfile(): Promise<void>;
  /** Stops it and writes the `.cpuprofile` to `file`. */
  stopProfile(file: string): Promise<void>;
  /** Provisions an extra API key through the loopback admin endpoint; returns its value. */
  createKey(name: string, tier: TierName): Promise<string>;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const READY_TIMEOUT_MS = 180_000;

/**
 * Starts the local stack in a child process (bench/lib/stack-process.ts) with a fresh state directory in the
 * OS temp dir, so the benchmark never touches a developer's `.local` state and every run starts cold.
 */
export interface BenchStackOptions {
  /** Directories put first on the stack process's PATH (the engine probe's wrappers). */
  readonly pathPrefix?: readonly string[];
}

export async function startBenchStack(log: (m: string) => void, options: BenchStackOptions = {}): Promise<BenchStack> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'vnt-bench-stack-'));
  const started = performance.now();
  // tsx as a Node loader, under the same Node (22) that runs the benchmark.
  const PATH = [...(options.pathPrefix ?? []), process.env.PATH ?? ''].join(path.delimiter);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'stack-process.ts'), JSON.stringify({ stateDir })], {
    cwd: path.resolve(here, '../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PATH },
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => {
    stderr.push(c.toString('utf8'));
    if (stderr.length > 200) stderr.shift();
  });
  type Reply = { benchId?: number; job?: Job | null; error?: string };
  const pending = new Map<number, (reply: Reply) => void>();
  const ready = await waitForReady(child, stderr, (line) => {
    const reply = line as Reply;
    if (reply.benchId !== undefined) pending.get(reply.benchId)?.(reply);
  });
  let requestId = 0;
  const request = (body: Record<string, unknown>) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++requestId;
      pending.set(id, (reply) => {
        pending.delete(id);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply);
      });
      child.stdin!.write(`${JSON.stringify({ benchId: id, ...body })}\n`);
    });
  child.on('exit', (code) => {
    for (const settle of pending.values()) settle({ error: `the local stack process exited (${code}): ${stderr.join('').slice(-500)}` });
  });
  const startMs = performance.now() - started;
  log(`local stack up at ${ready.url} in ${Math.round(startMs)} ms`);

  let stopped: Promise<void> | undefined;
  return {
    url: ready.url,
    webSocketUrl: ready.webSocketUrl,
    keys: ready.keys,
    startMs,
    async jobRecord(jobId) {
      return (await request({ op: 'job', jobId })).job ?? undefined;
    },
    async startProfile() {
      await request({ op: 'profile-start' });
    },
    async stopProfile(file) {
      await request({ op: 'profile-stop', file });
    },
    async createKey(name, tier) {
      const adminToken = await readAdminToken(stateLayout(stateDir));
      if (adminToken === undefined) throw new Error(`the stack wrote no admin token into ${stateDir}`);
      return (await new LocalKeyProvisioner({ apiUrl: ready.url, adminToken }).create(name, tier)).value;
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.stdin!.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(stateDir, { recursive: true, force: true });
      })()),
  };
}

interface Ready {
  url: string;
  webSocketUrl: string;
  keys: Readonly<Record<TierName, string>>;
}

/** Resolves on the `ready` line; every later JSON line goes to `onLine`. */
function waitForReady(child: ChildProcess, stderr: string[], onLine: (message: unknown) => void): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the local stack was not ready after ${READY_TIMEOUT_MS} ms: ${stderr.join('').slice(-2000)}`));
    }, READY_TIMEOUT_MS);
    child.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString('utf8');
      for (const line of buffer.split('\n').slice(0, -1)) {
        try {
          const parsed = JSON.parse(line) as Ready & { ready?: boolean };
          if (parsed.ready) {
            clearTimeout(timer);
            resolve(parsed);
          } else {
            onLine(parsed);
          }
        } catch {
          // not our line (a handler's log)
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local stack exited (${code}) before it was ready: ${stderr.join('').slice(-2000)}`));
    });
  });
}
