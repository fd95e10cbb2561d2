import { rm, writeFile } from 'node:fs/promises';
import { DEFAULT_STATE_DIR, LOCAL } from './config';
import { isLoopbackHost } from './http/server';
import { PRIVATE_FILE_MODE, readDemoKeys, readText, stateLayout } from './state-dir';

/**
 * Where a running local stack can be reached, kept in `<state dir>/stack.json` while it runs, so the CLIs
 * (`npm run translate`, `npm run keys`) find it on whatever port it was started.
 */
export interface RunningStack {
  readonly url: string;
  readonly webSocketUrl: string;
  readonly port: number;
  /** The stack's process: a file whose process is gone is left over from a crash and ignored. */
  readonly pid: number;
}

/** Written before the routes attach: a ready `/health` means the file is there. */
export async function recordRunningStack(stateDir: string, stack: RunningStack): Promise<void> {
  await writeFile(stateLayout(stateDir).runningStack, `${JSON.stringify(stack, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
}

/** Removes the file on a clean stop, unless another process has written it since. */
export async function forgetRunningStack(stateDir: string, pid = process.pid): Promise<void> {
  if ((await readRunningStack(stateDir))?.pid === pid) await rm(stateLayout(stateDir).runningStack, { force: true });
}

/** The stack running on `stateDir`, or undefined when none is (no file, an unreadable one, or a dead process). */
export async function findRunningStack(stateDir: string): Promise<RunningStack | undefined> {
  const stack = await readRunningStack(stateDir);
  return stack !== undefined && isAlive(stack.pid) ? stack : undefined;
}

async function readRunningStack(stateDir: string): Promise<RunningStack | undefined> {
  const text = await readText(stateLayout(stateDir).runningStack);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<RunningStack>;
    return typeof parsed.url === 'string' && Number.isInteger(parsed.pid) ? (parsed as RunningStack) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another stack already runs from the state directory a start was given (one stack per state directory). */
export class LocalStackRunningError extends Error {
  constructor(stateDir: string, running: RunningStack) {
    super(`A local stack already runs from ${stateDir} at ${running.url} (pid ${running.pid}): stop it first, or use another --state-dir.`);
    this.name = 'LocalStackRunningError';
  }
}

/** Where the local API was found, which the "cannot reach" message names so the user knows what to change. */
export type LocalApiSource = '--api' | 'VNT_API_URL' | 'PORT' | 'stack.json' | 'default';

export interface LocalApi {
  readonly url: string;
  readonly source: LocalApiSource;
}

export interface LocalApiLookup {
  /** An explicit `--api`. */
  readonly flag?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default `<repo>/.local` */
  readonly stateDir?: string;
}

/**
 * The local stack's API URL, in order: the explicit flag, `VNT_API_URL`, `PORT` (as `npm start` reads it),
 * the running stack's `stack.json`, the default port.
 */
export async function resolveLocalApi(lookup: LocalApiLookup = {}): Promise<LocalApi> {
  const env = lookup.env ?? process.env;
  if (lookup.flag) return { url: lookup.flag, source: '--api' };
  if (env.VNT_API_URL) return { url: env.VNT_API_URL, source: 'VNT_API_URL' };
  if (env.PORT) return { url: `http://${LOCAL.host}:${env.PORT}`, source: 'PORT' };
  const running = await findRunningStack(lookup.stateDir ?? DEFAULT_STATE_DIR);
  if (running) return { url: running.url, source: 'stack.json' };
  return { url: `http://${LOCAL.host}:${LOCAL.defaultPort}`, source: 'default' };
}

/** The one sentence every CLI prints when the local stack does not answer. */
export function cannotReachLocalStack(url: string, source?: LocalApiSource): string {
  const from = source === undefined || source === 'default' ? '' : ` (from ${source})`;
  return `Cannot reach the local stack at ${url}${from}: is \`npm start\` running?`;
}

/** The local stack serves its WebSocket next to the API; a deployed stack's URL (`ProgressUrl`) must be given. */
export function localWebSocketUrl(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (!isLoopbackHost(url.host)) return undefined;
  return `ws://${url.host}${LOCAL.webSocketPath}`;
}

/** The demo key the local stack created in `stateDir` (premium, else free), for CLIs run with no --key. */
export async function localDemoKey(stateDir: string): Promise<string | undefined> {
  const keys = await readDemoKeys(stateLayout(stateDir).demoKeys);
  return keys?.premium ?? keys?.free;
}
