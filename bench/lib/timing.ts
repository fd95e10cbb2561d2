import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds of an async call, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export interface TimedProcess {
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Spawns a process (no shell, piped output like the audio tools' runProcess) and returns its wall time.
 * A non-zero exit is an error: a benchmark of a failing command measures nothing.
 */
export function timeProcess(binary: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<TimedProcess> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(binary, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const ms = performance.now() - start;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (exitCode !== 0) {
        reject(new Error(`${path.basename(binary)} exited ${exitCode}: ${firstErrorLine(stderr)}`));
      } else {
        resolve({ ms, stdout, stderr });
      }
    });
  });
}

/** The line that names the error (`TypeError: …`), else the last non-empty line. */
function firstErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*Error\b|^Error:/.test(l)) ?? lines[lines.length - 1] ?? '';
}
