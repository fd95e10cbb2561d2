import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunProcessOptions {
  /** Kills the child (SIGKILL) after this long; the result then carries `signal`. */
  readonly timeoutMs?: number;
}

/** Raised when the binary itself cannot be started (missing, not executable). */
export class ProcessStartError extends Error {
  constructor(
    readonly binary: string,
    readonly cause: NodeJS.ErrnoException,
  ) {
    super(`Cannot start ${binary}: ${cause.code ?? cause.message}`);
    this.name = 'ProcessStartError';
  }
}

/** Tools running now, so a host that shuts down can end them (terminateRunningProcesses). */
const running = new Set<ChildProcess>();

/**
 * Runs a binary without a shell (arguments are never interpreted) and collects its output. A non-zero exit
 * is a result, not an exception: callers decide what each tool's failure means.
 *
 * Each tool runs in a process group of its own: a terminal's Ctrl-C, which signals the foreground group, does
 * not reach it (the process that ran it decides when it stops: the local stack lets running notes finish),
 * and a timeout kills the whole group, so a tool that is a script (apertium's pipeline) leaves nothing behind.
 */
export async function runProcess(binary: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  const result = await runOnce(binary, args, options);
  // We only ever send SIGKILL. A terminal's signal can still reach a tool spawned in the instant of a Ctrl-C:
  // between fork and setsid the child is in our process group, and the signal, held until exec, ends it. The
  // tools only read their input and write their own output, so running it again is safe.
  return result.signal !== null && TERMINAL_SIGNALS.has(result.signal) ? runOnce(binary, args, options) : result;
}

const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);

function runOnce(binary: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // No stdin: tools read files (m4a cannot be piped; apertium's script cannot read a socket as /dev/stdin).
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => killGroup(child), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new ProcessStartError(binary, error));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/**
 * Kills every tool still running (SIGKILL to each one's process group) and returns how many there were: for
 * a host that is going away (the local stack once its stop's grace period is over, or at exit), since the tools'
 * own process groups keep them out of the host's. Synchronous, so it also works in an `exit` listener.
 */
export function terminateRunningProcesses(): number {
  const count = running.size;
  for (const child of running) killGroup(child);
  return count;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone, or not a group leader after all: the process itself then.
    child.kill('SIGKILL');
  }
}
