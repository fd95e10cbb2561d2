import type { TierName } from '../../lib/config/tiers';
import { ForbiddenError } from '../shared/errors';
import type { ApiKeyRepository } from './api-key-repository';

/** The calling key and the tier its record assigns. */
export interface Caller {
  readonly apiKeyId: string;
  readonly tier: TierName;
}

/**
 * Resolves a validated API key id to its tier. API Gateway already refused unknown and disabled keys; a
 * key without a record (created outside `npm run keys`) or a revoked one is refused here too rather than
 * silently given a tier.
 */
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  async caller(apiKeyId: string): Promise<Caller> {
    const record = await this.keys.get(apiKeyId);
    if (!record) {
      throw new ForbiddenError('This API key is not registered to a tier.', 'KEY_NOT_REGISTERED');
    }
    if (record.revokedAt !== undefined) {
      throw new ForbiddenError('This API key has been revoked.', 'KEY_REVOKED');
    }
    return { apiKeyId, tier: record.tier };
  }
}
