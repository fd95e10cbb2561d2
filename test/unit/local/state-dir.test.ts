import { chmod, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateAdminToken, prepareStateDir, readAdminToken, stateLayout } from '../../../local/state-dir';

let root: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vnt-state-'));
  outside = await mkdtemp(join(tmpdir(), 'vnt-outside-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('prepareStateDir', () => {
  it('makes what older versions left readable private: 0700 directories, 0600 files', async () => {
    const layout = stateLayout(root);
    // An older version's state: world-readable audio, transcripts and usage counters.
    await mkdir(join(layout.s3, 'vnt-local-uploads', 'uploads'), { recursive: true });
    await writeFile(join(layout.s3, 'vnt-local-uploads', 'uploads', 'note.m4a'), 'audio');
    await mkdir(layout.dynamodb, { recursive: true });
    await writeFile(join(layout.dynamodb, '000003.log'), 'transcripts');
    await writeFile(layout.usageCounters, '{}');
    for (const dir of [root, layout.s3, join(layout.s3, 'vnt-local-uploads'), layout.dynamodb]) await chmod(dir, 0o755);
    for (const file of [join(layout.dynamodb, '000003.log'), layout.usageCounters]) await chmod(file, 0o644);
    // A link to something outside must be left alone, not followed.
    const foreign = join(outside, 'not-ours.txt');
    await writeFile(foreign, 'x');
    await chmod(foreign, 0o644);
    await symlink(foreign, join(root, 'link'));

    await prepareStateDir(layout, false);

    for (const dir of [root, layout.s3, join(layout.s3, 'vnt-local-uploads', 'uploads'), layout.dynamodb, layout.sqs]) {
      expect([dir, await modeOf(dir)]).toEqual([dir, 0o700]);
    }
    for (const file of [join(layout.s3, 'vnt-local-uploads', 'uploads', 'note.m4a'), join(layout.dynamodb, '000003.log'), layout.usageCounters]) {
      expect([file, await modeOf(file)]).toEqual([file, 0o600]);
    }
    expect(await modeOf(foreign)).toBe(0o644);
    expect((await lstat(join(root, 'link'))).isSymbolicLink()).toBe(true);
  });
});

describe('the admin token', () => {
  it('is made once per state directory, private, and what the keys CLI reads', async () => {
    const layout = stateLayout(root);
    expect(await readAdminToken(layout)).toBeUndefined();

    const token = await loadOrCreateAdminToken(layout);

    expect(token).toMatch(/^[\w-]{43}$/);
    expect(await loadOrCreateAdminToken(layout)).toBe(token);
    expect(await readAdminToken(layout)).toBe(token);
    expect((await readFile(layout.adminToken, 'utf8')).trim()).toBe(token);
    expect(await modeOf(layout.adminToken)).toBe(0o600);
  });
});
