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
});
