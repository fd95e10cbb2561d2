import { CACHE_TTLS } from '../../lib/config/limits';
import type { TierName } from '../../lib/config/tiers';
import { ForbiddenError } from '../shared/errors';
import type { ApiKeyRepository } from './api-key-repository';

/** The calling key and the tier its record assigns. */
export interface Caller {
  readonly apiKeyId: string;
  readonly tier: TierName;
}

export interface ApiKeyServiceOptions {
  /**
   * How long a live key's tier is remembered per container. Unknown and revoked keys are never cached, so a
   * key created a moment ago works at once.
   * @default CACHE_TTLS.apiKeySeconds
   */
  readonly cacheSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Resolves a validated API key id to its tier. API Gateway already refused unknown and disabled keys; a
 * key without a record (created outside `npm run keys`) or a revoked one is refused here too rather than
 * silently given a tier.
 */
export class ApiKeyService {
  private readonly live = new Map<string, { readonly caller: Caller; readonly until: number }>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly keys: Pick<ApiKeyRepository, 'get'>,
    options: ApiKeyServiceOptions = {},
  ) {
    this.cacheMs = (options.cacheSeconds ?? CACHE_TTLS.apiKeySeconds) * 1000;
    this.now = options.now ?? Date.now;
  }

  async caller(apiKeyId: string): Promise<Caller> {
    const cached = this.live.get(apiKeyId);
    if (cached !== undefined && cached.until > this.now()) return cached.caller;

    const record = await this.keys.get(apiKeyId);
    if (!record) {
      throw new ForbiddenError('This API key is not registered to a tier.', 'KEY_NOT_REGISTERED');
    }
    if (record.revokedAt !== undefined) {
      this.live.delete(apiKeyId);
      throw new ForbiddenError('This API key has been revoked.', 'KEY_REVOKED');
    }
    const caller: Caller = { apiKeyId, tier: record.tier };
    if (this.cacheMs > 0) this.live.set(apiKeyId, { caller, until: this.now() + this.cacheMs });
    return caller;
  }
}
