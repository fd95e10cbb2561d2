import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  /** The local principal's AWS secret access key (see local-credentials.ts). */
  readonly secretAccessKey: string;
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
    secretAccessKey: join(root, 'secret-access-key'),
  };
}

/** Creates the state directories; with `fresh`, wipes everything first (`npm start -- --fresh`). */
export async function prepareStateDir(layout: StateLayout, fresh: boolean): Promise<void> {
  if (fresh) await rm(layout.root, { recursive: true, force: true });
  for (const dir of [layout.dynamodb, layout.s3, layout.sqs]) await mkdir(dir, { recursive: true });
}

/** The history-cursor signing secret: generated once and kept, so cursors stay valid across restarts. */
export function loadOrCreateCursorSecret(layout: StateLayout): Promise<string> {
  return loadOrCreateSecret(layout.cursorSecret);
}

/** A random secret kept in `path`: generated on first use (mode 0600), the same on every later start. */
export async function loadOrCreateSecret(path: string): Promise<string> {
  const existing = await readText(path);
  if (existing !== undefined && existing.trim() !== '') return existing.trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
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
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
