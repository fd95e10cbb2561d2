import type { ApiKeyRecord } from './api-key';

/**
 * Key records (KEY#<apiKeyId> → tier). The tier of every keyed request is read from here; the record is
 * written by whichever KeyProvisioner created the key (AWS or the local stack).
 */
export interface ApiKeyRepository {
  /** Fails with ConflictError if a record for the id exists. */
  create(record: ApiKeyRecord): Promise<void>;
  get(apiKeyId: string): Promise<ApiKeyRecord | undefined>;
  /** Every record, newest first. */
  list(): Promise<readonly ApiKeyRecord[]>;
  /** Stamps `revokedAt`; idempotent (keeps the first revocation time). Returns false if no record exists. */
  markRevoked(apiKeyId: string, revokedAt: string): Promise<boolean>;
}
