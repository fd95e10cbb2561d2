import { spawn } from 'node:child_process';

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

/**
 * Runs a binary without a shell (arguments are never interpreted) and collects its output. A non-zero exit
 * is a result, not an exception: callers decide what each tool's failure means.
 */
export function runProcess(binary: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // No stdin: tools read files (m4a cannot be piped; apertium's script cannot read a socket as /dev/stdin).
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ProcessStartError(binary, error));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
