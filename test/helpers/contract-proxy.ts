/**
 * Prism (`@stoplight/prism-cli`) as a validating proxy in front of the local stack: `prism proxy
 * docs/openapi.json <stack> --errors`. Every request and response through it is judged against the contract by
 * a tool that is not ours; with `--errors` a broken response reaches the caller as Prism's own 500
 * problem+json, and every violation is logged. The e2e suite sends its HTTP API traffic through it, and a test
 * after which Prism logged a violation fails (test/e2e/contract-setup.ts).
 *
 * Prism handles HTTP API traffic only: the WebSocket and the presigned S3 uploads go to the stack directly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const OPENAPI_JSON = path.join(REPO_ROOT, 'docs', 'openapi.json');
const START_TIMEOUT_MS = 60_000;
const FLUSH_TIMEOUT_MS = 15_000;

export interface ContractProxy {
  /** Prism's base URL: the API as the contract allows it. */
  readonly url: string;
  /**
   * What Prism logged as a contract violation (or refused itself: an invalid request, a route or method off the
   * contract) since the last call. Waits until Prism's log has caught up with every request answered so far.
   */
  takeViolations(): Promise<string[]>;
  /**
   * `fetch` for callers in this process: also keeps the `sl-violations` header Prism puts on an answer that
   * broke the contract, whose details (which field, which rule) its log leaves out; takeViolations adds them.
   */
  readonly fetch: typeof fetch;
  /** Stops Prism; throws if it logged violations nobody took. */
  stop(): Promise<void>;
}

const running = new Set<ContractProxy>();

/** The violations of every running proxy since the last call (see {@link ContractProxy.takeViolations}). */
export async function takeContractViolations(): Promise<string[]> {
  return (await Promise.all([...running].map((proxy) => proxy.takeViolations()))).flat();
}

/** Prism's log lines: `[time] › [SOURCE] <icon> <level> <text>`; warnings and errors are contract problems. */
const PROBLEM = /\s(warning|error|fatal)\s+(.*)$/;
const REQUEST_RECEIVED = /\[HTTP SERVER\] (\S+ \S+) .*Request received/;

export async function startContractProxy(upstream: string): Promise<ContractProxy> {
  const cli = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
  // Port 0: Prism says which port it got. No CORS headers of Prism's own: the stack's answers, unchanged.
  const child = spawn(
    process.execPath,
    [cli, 'proxy', OPENAPI_JSON, upstream, '--errors', '--cors=false', '--host', '127.0.0.1', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  const waiters = new Set<() => void>();
  const lines = () => {
    let pending = '';
    return (chunk: Buffer) => {
      const complete = (pending + chunk.toString('utf8')).split('\n');
      pending = complete.pop()!;
      log.push(...complete);
      for (const wake of waiters) wake();
    };
  };
  child.stdout!.on('data', lines());
  child.stderr!.on('data', lines());
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const waitForLine = (matches: (line: string) => boolean, from: number, timeoutMs: number, what: string) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        let index = from;
        while (index < log.length && !matches(log[index]!)) index++;
        if (index === log.length) return;
        done();
        resolve(index);
      };
      const timer = setTimeout(() => (done(), reject(new Error(`Prism: no ${what} in ${timeoutMs} ms:\n${log.join('\n')}`))), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => {
        if (!waiters.has(check)) return;
        done();
        reject(new Error(`Prism exited before ${what}:\n${log.join('\n')}`));
      });
      check();
    });

  let url: string;
  try {
    const ready = await waitForLine((line) => line.includes('Prism is listening on'), 0, START_TIMEOUT_MS, 'start');
    url = /listening on (http:\/\/\S+)/.exec(log[ready]!)![1]!;
    // Warnings while loading the document (unresolvable refs, unsupported keywords) weaken every later check.
    const startupProblems = log.slice(0, ready).filter((line) => PROBLEM.test(line));
    if (startupProblems.length > 0) throw new Error(`Prism found problems in ${OPENAPI_JSON}:\n${startupProblems.join('\n')}`);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }

  let checkedUpTo = log.length;
  const details: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const violations = response.headers.get('sl-violations');
    if (violations !== null) {
      const target = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      details.push(`${method} ${target.pathname}${target.search} answered ${response.status}: ${violations}`);
    }
    return response;
  };
  const takeViolations = async (): Promise<string[]> => {
    // Prism logs a request's violations by the time it has answered it, before it serves another request; a
    // request sent after every answered one, and answered itself, closes the window.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Prism is no longer running:\n${log.join('\n')}`);
    const marker = `contract-flush=${randomUUID()}`;
    await fetch(`${url}/health?${marker}`).then((response) => response.arrayBuffer());
    await waitForLine((line) => line.includes(marker), checkedUpTo, FLUSH_TIMEOUT_MS, 'flush marker');
    const end = log.length;
    const violations: string[] = [];
    let lastRequest = '';
    for (const line of log.slice(checkedUpTo, end)) {
      lastRequest = REQUEST_RECEIVED.exec(line)?.[1] ?? lastRequest;
      const problem = PROBLEM.exec(line);
      if (problem) violations.push(`${problem[2]} (after ${lastRequest || 'no request'})`);
    }
    checkedUpTo = end;
    return [...violations, ...details.splice(0)];
  };

  const proxy: ContractProxy = {
    url,
    takeViolations,
    fetch: recordingFetch,
    async stop() {
      if (!running.delete(proxy)) return;
      try {
        const left = child.exitCode === null && child.signalCode === null ? await takeViolations() : [];
        if (left.length > 0) throw new Error(`Prism logged contract violations:\n${left.join('\n')}`);
      } finally {
        await stopChild(child, exited);
      }
    },
  };
  running.add(proxy);
  return proxy;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
