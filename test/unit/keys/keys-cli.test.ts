import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { localProvisioner, parseCli, runCommand, UsageError } from '../../../bin/keys';
import { DEFAULT_STATE_DIR } from '../../../local/config';
import { loadOrCreateAdminToken, stateLayout } from '../../../local/state-dir';
import type { KeyProvisioner } from '../../../functions/keys/api-key';

describe('keys CLI parsing', () => {
  it('parses create with defaults (local target)', () => {
    expect(parseCli(['create', '--tier', 'basic', '--name', 'alice'])).toEqual({
      command: 'create',
      target: 'local',
      api: 'http://127.0.0.1:3000',
      stateDir: DEFAULT_STATE_DIR,
      stage: 'dev',
      json: false,
      tier: 'basic',
      name: 'alice',
    });
  });

  it('parses aws options and revoke', () => {
    expect(parseCli(['revoke', 'abc123', '--target', 'aws', '--stage', 'prod', '--table', 't'])).toMatchObject({
      command: 'revoke',
      target: 'aws',
      stage: 'prod',
      table: 't',
      apiKeyId: 'abc123',
    });
  });

  it.each([
    [[]],
    [['delete']],
    [['create', '--tier', 'gold', '--name', 'x']],
    [['create', '--tier', 'free']],
    [['create', '--tier', 'free', '--name', '../../etc']],
    [['revoke']],
    [['revoke', 'a', 'b']],
    [['list', '--target', 'gcp']],
    [['list', '--stage', 'Prod!']],
    [['list', '--bogus']],
    [['sync']],
    [['sync', 'extra', '--target', 'aws']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseCli(argv)).toThrowError(UsageError);
  });
});

describe('keys CLI commands', () => {
  const provisioner: KeyProvisioner = {
    create: vi.fn(async (name, tier) => ({ apiKeyId: 'id1', name, tier, createdAt: '2026-01-01T00:00:00Z', value: 'VALUE' })),
    list: vi.fn(async () => [
      { apiKeyId: 'id1', name: 'alice', tier: 'basic' as const, createdAt: '2026-01-01T00:00:00Z' },
      { apiKeyId: 'id2', name: 'bob', tier: 'free' as const, createdAt: '2026-01-02T00:00:00Z', revokedAt: '2026-01-03T00:00:00Z' },
    ]),
    revoke: vi.fn(async () => undefined),
  };

  it('prints the new key value once', async () => {
    const out = await runCommand(parseCli(['create', '--tier', 'basic', '--name', 'alice']), provisioner);
    expect(out).toContain('VALUE');
    expect(provisioner.create).toHaveBeenCalledWith('alice', 'basic');
  });

  it('lists keys as a table with their state', async () => {
    const out = await runCommand(parseCli(['list']), provisioner);
    expect(out.split('\n')).toHaveLength(3);
    expect(out).toMatch(/id2\s+bob\s+free\s+\S+\s+revoked/);
  });

  it('prints JSON with --json', async () => {
    const out = await runCommand(parseCli(['list', '--json']), provisioner);
    expect(JSON.parse(out)).toHaveLength(2);
  });

  it('syncs plan memberships on AWS', async () => {
    const syncing: KeyProvisioner = { ...provisioner, syncPlans: vi.fn(async () => ({ keys: 4, joined: 3 })) };
    await expect(runCommand(parseCli(['sync', '--target', 'aws']), syncing)).resolves.toBe(
      '4 active keys; 3 usage plan memberships added.',
    );
  });

  it('revokes by id', async () => {
    await expect(runCommand(parseCli(['revoke', 'id1']), provisioner)).resolves.toBe('Revoked id1.');
    expect(provisioner.revoke).toHaveBeenCalledWith('id1');
  });
});

describe('keys CLI against the local stack', () => {
  it('sends the admin token of --state-dir with every request', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'vnt-keys-cli-'));
    try {
      const token = await loadOrCreateAdminToken(stateLayout(stateDir));
      const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => Response.json({ items: [] }));
      const options = parseCli(['list', '--api', 'http://127.0.0.1:4321', '--state-dir', stateDir]);

      await expect(runCommand(options, await localProvisioner(options))).resolves.toBe('No keys.');

      const [url, init] = fetchMock.mock.calls[0]!;
      expect(url).toBe('http://127.0.0.1:4321/__local/keys');
      expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${token}`);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('says how to get a token when the state directory has none', async () => {
    const options = parseCli(['list', '--state-dir', join(tmpdir(), 'vnt-no-such-state-dir')]);
    await expect(localProvisioner(options)).rejects.toThrow(/No admin token in .*start the local stack first/);
  });
});
