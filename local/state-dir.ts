import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TIER_NAMES, type TierName } from '../lib/config/tiers';

/** Where each emulator and store keeps its state, so a restart picks up where the last run stopped. */
export interface StateLayout {
  readonly root: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
  readonly apiKeys: string;
  readonly demoKeys: string;
  readonly usageCounters: string;
  readonly cursorSecret: string;
  /** The bearer token of the key admin endpoint (`/__local/keys`), which the keys CLI reads. */
  readonly adminToken: string;
  /** The local principal's AWS secret access key (see local-credentials.ts). */
  readonly secretAccessKey: string;
  /** Where the running stack listens, for the CLIs (running-stack.ts); removed on a clean stop. */
  readonly runningStack: string;
  /** The running (or starting) stack's claim on the directory (running-stack.ts); kept by `--fresh`. */
  readonly stateLock: string;
  /** The handlers' and engines' temporary files (the process's TMPDIR while the stack runs). */
  readonly scratch: string;
}

export function stateLayout(root: string): StateLayout {
  return {
    root,
    dynamodb: join(root, 'dynamodb'),
    s3: join(root, 's3'),
    sqs: join(root, 'sqs'),
    apiKeys: join(root, 'api-keys.json'),
    demoKeys: join(root, 'keys.json'),
    usageCounters: join(root, 'usage-plans.json'),
    cursorSecret: join(root, 'cursor-secret'),
    adminToken: join(root, 'admin-token'),
    secretAccessKey: join(root, 'secret-access-key'),
    runningStack: join(root, 'stack.json'),
    stateLock: join(root, 'stack.lock'),
    scratch: join(root, 'tmp'),
  };
}

/**
 * Creates the state directories; with `fresh`, wipes everything first (`npm start -- --fresh`). Everything
 * in the state directory is the owner's alone (0700 directories, 0600 files): it holds every tenant's audio and
 * transcripts and the admin token. The caller sets the umask for what the emulators write later; this
 * tightens what older versions left readable.
 */
export async function prepareStateDir(layout: StateLayout, fresh: boolean): Promise<void> {
  // The start's claim on the directory (running-stack.ts) stays: it was taken before this wipe.
  if (fresh) {
    for (const entry of await readdir(layout.root).catch(() => [])) {
      if (join(layout.root, entry) !== layout.stateLock) await rm(join(layout.root, entry), { recursive: true, force: true });
    }
  }
  for (const dir of [layout.dynamodb, layout.s3, layout.sqs]) await mkdir(dir, { recursive: true, mode: 0o700 });
  // The state directory itself may be a link (to another disk); what is under it is not followed.
  await makePrivate(await realpath(layout.root));
}

/** The permissions the state directory's content must not exceed. */
const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** What the local stack's process creates files with: no access for group or others. */
export const PRIVATE_UMASK = 0o077;

/** chmod 0700/0600 of `path` and everything under it; symbolic links are left alone (and not followed). */
async function makePrivate(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (!info.isDirectory()) {
    if ((info.mode & 0o777) !== PRIVATE_FILE_MODE) await chmod(path, PRIVATE_FILE_MODE);
    return;
  }
  if ((info.mode & 0o777) !== PRIVATE_DIR_MODE) await chmod(path, PRIVATE_DIR_MODE);
  for (const entry of await readdir(path)) await makePrivate(join(path, entry));
}

/** The history-cursor signing secret: generated once and kept, so cursors stay valid across restarts. */
export function loadOrCreateCursorSecret(layout: StateLayout): Promise<string> {
  return loadOrCreateSecret(layout.cursorSecret);
}

/** The key admin endpoint's token: generated once per state directory, read by the keys CLI. */
export function loadOrCreateAdminToken(layout: StateLayout): Promise<string> {
  return loadOrCreateSecret(layout.adminToken);
}

/** The admin token of a state directory's stack, or undefined if that stack never started. */
export async function readAdminToken(layout: StateLayout): Promise<string | undefined> {
  return (await readText(layout.adminToken))?.trim() || undefined;
}

/** A random secret kept in `path`: generated on first use (mode 0600), the same on every later start. */
export async function loadOrCreateSecret(path: string): Promise<string> {
  const existing = (await readText(path))?.trim();
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: PRIVATE_FILE_MODE });
  return secret;
}

/** `.local/keys.json`: one demo key value per tier, what the CLI and the README's curl examples read. */
export type DemoKeys = Readonly<Record<TierName, string>>;

export async function readDemoKeys(path: string): Promise<DemoKeys | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  return TIER_NAMES.every((tier) => typeof record[tier] === 'string') ? (record as DemoKeys) : undefined;
}

export async function writeDemoKeys(path: string, keys: DemoKeys): Promise<void> {
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
