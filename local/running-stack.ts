import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
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
  /**
   * When that process started (`processStartOf`), so that a pid reused by another process after a crash (a
   * reboot makes it likely) is not taken for the stack. Absent where the system does not say.
   */
  readonly processStart?: string;
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
  return stack !== undefined && isAlive(stack.pid, stack.processStart) ? stack : undefined;
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

/**
 * Whether `pid` runs and, when `processStart` is known, is still the process that started then. A zombie (a
 * stack killed with `kill -9` whose reaper has not collected it yet: seconds where init is slow, forever where
 * a container's pid 1 never reaps) answers signals but is gone.
 */
function isAlive(pid: number, processStart?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (procStatFields(pid)?.[0] === 'Z') return false;
  const now = processStartOf(pid);
  return processStart === undefined || now === undefined || now === processStart;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): state first; undefined off Linux. */
function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * An identity of process `pid` that a later process given the same pid does not share: the boot and the start
 * time in clock ticks since boot, from /proc (Linux); undefined elsewhere, where the pid alone is trusted.
 */
export function processStartOf(pid: number): string | undefined {
  // Field 22 (starttime): the 20th after the command name.
  const startTicks = procStatFields(pid)?.[19];
  try {
    return startTicks === undefined ? undefined : `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${startTicks}`;
  } catch {
    return undefined;
  }
}

/** Another stack already runs from the state directory a start was given (one stack per state directory). */
export class LocalStackRunningError extends Error {
  constructor(stateDir: string, running: Pick<RunningStack, 'pid'> & Partial<RunningStack>) {
    const where =
      running.url === undefined
        ? `is starting, or finishing its notes after Ctrl-C, from ${stateDir}`
        : `already runs from ${stateDir} at ${running.url}`;
    super(`A local stack ${where} (pid ${running.pid}): stop it first, or use another --state-dir.`);
    this.name = 'LocalStackRunningError';
  }
}

/**
 * Claims the state directory for this process before anything in it is touched: `stack.lock`, created
 * exclusively, holds the claimant's pid. stack.json alone cannot do it: it is written only once the stack can
 * serve, seconds after the start, so two starts at once (one of them `--fresh`) both got past it and ran on
 * one state directory. A lock whose process is gone is left over from a crash and taken over. Resolves with
 * the release, which removes the lock unless another process has taken it since.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const lock = stateLayout(stateDir).stateLock;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const release = async () => {
    if ((await lockHolder(lock))?.pid === process.pid) await rm(lock, { force: true });
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lock, `${process.pid} ${processStartOf(process.pid) ?? ''}\n`, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await lockHolder(lock);
    if (holder?.pid === process.pid) return release;
    // A holder that is alive, or a second stale-lock takeover lost to another start: refused.
    if (attempt > 0 || (holder !== undefined && isAlive(holder.pid, holder.processStart))) {
      throw new LocalStackRunningError(stateDir, (await readRunningStack(stateDir)) ?? { pid: holder?.pid ?? 0 });
    }
    await rm(lock, { force: true });
  }
}

async function lockHolder(lock: string): Promise<{ pid: number; processStart?: string } | undefined> {
  const [pidText, processStart] = (await readText(lock))?.trim().split(' ') ?? [];
  const pid = Number(pidText);
  return Number.isInteger(pid) && pid > 0 ? { pid, ...(processStart && { processStart }) } : undefined;
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
