import { describe, expect, it, vi } from 'vitest';
import type { ApiKeyRecord } from '../../../functions/keys/api-key';
import type { ApiKeyRepository } from '../../../functions/keys/api-key-repository';
import { ApiKeyService } from '../../../functions/keys/api-key-service';

function service(record: ApiKeyRecord | undefined): ApiKeyService {
  const repo: ApiKeyRepository = { get: vi.fn(async () => record), create: vi.fn(), list: vi.fn(), markRevoked: vi.fn() };
  return new ApiKeyService(repo);
}

const record: ApiKeyRecord = { apiKeyId: 'k1', name: 'alice', tier: 'premium', createdAt: '2026-01-01T00:00:00Z' };

describe('ApiKeyService.caller', () => {
  it("resolves the key's tier from its record", async () => {
    await expect(service(record).caller('k1')).resolves.toEqual({ apiKeyId: 'k1', tier: 'premium' });
  });

  it('refuses a key without a record with 403 KEY_NOT_REGISTERED', async () => {
    await expect(service(undefined).caller('k1')).rejects.toMatchObject({ code: 'KEY_NOT_REGISTERED', httpStatus: 403 });
  });

  it('refuses a revoked key with 403 KEY_REVOKED', async () => {
    await expect(service({ ...record, revokedAt: '2026-02-01T00:00:00Z' }).caller('k1')).rejects.toMatchObject({
      code: 'KEY_REVOKED',
      httpStatus: 403,
    });
  });

  it('remembers a live key for the cache window, then reads its record again', async () => {
    let now = 0;
    const get = vi.fn(async (): Promise<ApiKeyRecord | undefined> => record);
    const keys = new ApiKeyService({ get }, { cacheSeconds: 30, now: () => now });

    await keys.caller('k1');
    now = 29_000;
    await keys.caller('k1');
    expect(get).toHaveBeenCalledTimes(1);

    now = 31_000;
    get.mockResolvedValueOnce({ ...record, revokedAt: '2026-02-01T00:00:00Z' });
    await expect(keys.caller('k1')).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('never caches an unknown key: a key registered a moment later works at once', async () => {
    const get = vi.fn(async (): Promise<ApiKeyRecord | undefined> => undefined);
    const keys = new ApiKeyService({ get });

    await expect(keys.caller('k1')).rejects.toMatchObject({ code: 'KEY_NOT_REGISTERED' });
    get.mockResolvedValueOnce(record);
    await expect(keys.caller('k1')).resolves.toEqual({ apiKeyId: 'k1', tier: 'premium' });
  });
});
