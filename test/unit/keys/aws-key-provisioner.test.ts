import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiKeyRecord } from '../../../functions/keys/api-key';
import type { ApiKeyRepository } from '../../../functions/keys/api-key-repository';
import { AwsKeyProvisioner } from '../../../functions/keys/aws-key-provisioner';
import { usagePlanName } from '../../../lib/config/usage-plans';

const apigw = mockClient(APIGatewayClient);
const FREE_PLANS = [
  { id: 'p-free-metered', name: 'vnt-dev-free-metered' },
  { id: 'p-free-reads', name: 'vnt-dev-free-reads' },
];
const NOW = new Date('2026-03-14T12:00:00.000Z');

function repository(records: ApiKeyRecord[] = []) {
  return {
    create: vi.fn(async () => undefined),
    get: vi.fn(async (id: string) => records.find((r) => r.apiKeyId === id)),
    list: vi.fn(async () => records),
    markRevoked: vi.fn(async () => true),
  } satisfies ApiKeyRepository;
}

function provisioner(keys = repository()) {
  return new AwsKeyProvisioner({ apiGateway: new APIGatewayClient({ region: 'us-east-1' }), keys, stage: 'dev', now: () => NOW });
}

beforeEach(() => apigw.reset());

describe('AwsKeyProvisioner.create', () => {
  it("creates an API key in both usage plans of the tier (metered and reads) and records its tier", async () => {
    apigw
      .on(GetUsagePlansCommand)
      .resolvesOnce({ items: [{ id: 'p-free-reads', name: 'vnt-dev-free-reads' }, { id: 'p-basic-reads', name: 'vnt-dev-basic-reads' }], position: 'next' })
      .resolvesOnce({ items: [{ id: 'p-basic-metered', name: 'vnt-dev-basic-metered' }, { id: 'p-prod', name: 'vnt-prod-basic-metered' }] });
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key123', value: 'secret-value' });
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    const keys = repository();

    const key = await provisioner(keys).create('alice', 'basic');

    expect(key).toEqual({ apiKeyId: 'key123', name: 'alice', tier: 'basic', createdAt: NOW.toISOString(), value: 'secret-value' });
    expect(apigw.commandCalls(CreateApiKeyCommand)[0]!.args[0].input).toMatchObject({ name: 'vnt-dev-alice', enabled: true });
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((call) => call.args[0].input)).toEqual([
      { usagePlanId: 'p-basic-metered', keyId: 'key123', keyType: 'API_KEY' },
      { usagePlanId: 'p-basic-reads', keyId: 'key123', keyType: 'API_KEY' },
    ]);
    expect(keys.create).toHaveBeenCalledWith({ apiKeyId: 'key123', name: 'alice', tier: 'basic', createdAt: NOW.toISOString() });
  });

  it('fails clearly when the stage lacks one of the tier’s usage plans, creating nothing', async () => {
    apigw.on(GetUsagePlansCommand).resolves({
      items: [
        { id: 'p', name: 'vnt-prod-basic-metered' },
        { id: 'q', name: 'vnt-dev-basic-reads' },
      ],
    });
    await expect(provisioner().create('alice', 'basic')).rejects.toMatchObject({
      code: 'USAGE_PLAN_NOT_FOUND',
      message: expect.stringContaining('vnt-dev-basic-metered'),
    });
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  });

  it('deletes the half-made API key when joining a plan fails', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: FREE_PLANS });
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key123', value: 'v' });
    apigw.on(CreateUsagePlanKeyCommand).resolvesOnce({}).rejects(new Error('TooManyRequests'));
    apigw.on(DeleteApiKeyCommand).resolves({});

    await expect(provisioner().create('alice', 'free')).rejects.toThrow('TooManyRequests');
    expect(apigw.commandCalls(DeleteApiKeyCommand)[0]!.args[0].input).toEqual({ apiKey: 'key123' });
  });

  it('deletes the API key when the record cannot be written', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: FREE_PLANS });
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key123', value: 'v' });
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    apigw.on(DeleteApiKeyCommand).resolves({});
    const keys = repository();
    keys.create.mockRejectedValueOnce(new Error('table missing'));

    await expect(provisioner(keys).create('alice', 'free')).rejects.toThrow('table missing');
    expect(apigw.commandCalls(DeleteApiKeyCommand)).toHaveLength(1);
  });
});

describe('AwsKeyProvisioner.revoke / list', () => {
  const record: ApiKeyRecord = { apiKeyId: 'key123', name: 'alice', tier: 'free', createdAt: 'x' };

  it('disables the key at the edge and stamps the record', async () => {
    apigw.on(UpdateApiKeyCommand).resolves({});
    const keys = repository([record]);

    await provisioner(keys).revoke('key123');

    expect(apigw.commandCalls(UpdateApiKeyCommand)[0]!.args[0].input).toEqual({
      apiKey: 'key123',
      patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
    });
    expect(keys.markRevoked).toHaveBeenCalledWith('key123', NOW.toISOString());
  });

  it('refuses to revoke a key this stage does not know', async () => {
    await expect(provisioner().revoke('nope')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(apigw.commandCalls(UpdateApiKeyCommand)).toHaveLength(0);
  });

  it('lists the records', async () => {
    await expect(provisioner(repository([record])).list()).resolves.toEqual([record]);
  });

  it('names plans vnt-<stage>-<tier>-<surface>', () => {
    expect(usagePlanName('prod', 'premium', 'metered')).toBe('vnt-prod-premium-metered');
  });
});

describe('AwsKeyProvisioner.syncPlans', () => {
  it('puts every active key in every plan of its tier, leaving memberships that exist and revoked keys alone', async () => {
    apigw.on(GetUsagePlansCommand).resolves({
      items: [...FREE_PLANS, { id: 'p-basic-metered', name: 'vnt-dev-basic-metered' }, { id: 'p-basic-reads', name: 'vnt-dev-basic-reads' }],
    });
    // k-free is already in its reads plan: API Gateway answers ConflictException.
    apigw
      .on(CreateUsagePlanKeyCommand, { usagePlanId: 'p-free-reads' })
      .rejects(new ConflictException({ message: 'already a member', $metadata: {} }));
    apigw.on(CreateUsagePlanKeyCommand, { usagePlanId: 'p-basic-metered' }).resolves({});
    apigw.on(CreateUsagePlanKeyCommand, { usagePlanId: 'p-basic-reads' }).resolves({});
    apigw.on(CreateUsagePlanKeyCommand, { usagePlanId: 'p-free-metered' }).resolves({});
    const keys = repository([
      { apiKeyId: 'k-free', name: 'a', tier: 'free', createdAt: 'x' },
      { apiKeyId: 'k-basic', name: 'b', tier: 'basic', createdAt: 'x' },
      { apiKeyId: 'k-gone', name: 'c', tier: 'basic', createdAt: 'x', revokedAt: 'y' },
    ]);

    await expect(provisioner(keys).syncPlans()).resolves.toEqual({ keys: 2, joined: 3 });

    const calls = apigw.commandCalls(CreateUsagePlanKeyCommand).map((call) => `${call.args[0].input.keyId}→${call.args[0].input.usagePlanId}`);
    expect(calls.sort()).toEqual(['k-basic→p-basic-metered', 'k-basic→p-basic-reads', 'k-free→p-free-metered', 'k-free→p-free-reads']);
  });

  it('stops on any other error', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: FREE_PLANS });
    apigw.on(CreateUsagePlanKeyCommand).rejects(new Error('AccessDenied'));
    const keys = repository([{ apiKeyId: 'k-free', name: 'a', tier: 'free', createdAt: 'x' }]);
    await expect(provisioner(keys).syncPlans()).rejects.toThrow('AccessDenied');
  });
});
