import {
  APIGatewayClient,
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
import { AwsKeyProvisioner, usagePlanName } from '../../../functions/keys/aws-key-provisioner';

const apigw = mockClient(APIGatewayClient);
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
  it("creates an API key in the tier's usage plan and records its tier", async () => {
    apigw
      .on(GetUsagePlansCommand)
      .resolvesOnce({ items: [{ id: 'p-free', name: 'vnt-dev-free' }], position: 'next' })
      .resolvesOnce({ items: [{ id: 'p-basic', name: 'vnt-dev-basic' }] });
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key123', value: 'secret-value' });
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    const keys = repository();

    const key = await provisioner(keys).create('alice', 'basic');

    expect(key).toEqual({ apiKeyId: 'key123', name: 'alice', tier: 'basic', createdAt: NOW.toISOString(), value: 'secret-value' });
    expect(apigw.commandCalls(CreateApiKeyCommand)[0]!.args[0].input).toMatchObject({ name: 'vnt-dev-alice', enabled: true });
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand)[0]!.args[0].input).toEqual({
      usagePlanId: 'p-basic',
      keyId: 'key123',
      keyType: 'API_KEY',
    });
    expect(keys.create).toHaveBeenCalledWith({ apiKeyId: 'key123', name: 'alice', tier: 'basic', createdAt: NOW.toISOString() });
  });

  it('fails clearly when the stage has no such usage plan, creating nothing', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'p', name: 'vnt-prod-basic' }] });
    await expect(provisioner().create('alice', 'basic')).rejects.toMatchObject({ code: 'USAGE_PLAN_NOT_FOUND' });
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  });

  it('deletes the half-made API key when joining the plan fails', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'p-free', name: 'vnt-dev-free' }] });
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key123', value: 'v' });
    apigw.on(CreateUsagePlanKeyCommand).rejects(new Error('TooManyRequests'));
    apigw.on(DeleteApiKeyCommand).resolves({});

    await expect(provisioner().create('alice', 'free')).rejects.toThrow('TooManyRequests');
    expect(apigw.commandCalls(DeleteApiKeyCommand)[0]!.args[0].input).toEqual({ apiKey: 'key123' });
  });

  it('deletes the API key when the record cannot be written', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'p-free', name: 'vnt-dev-free' }] });
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

  it('names plans vnt-<stage>-<tier>', () => {
    expect(usagePlanName('prod', 'premium')).toBe('vnt-prod-premium');
  });
});
