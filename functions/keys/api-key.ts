import type { TierName } from '../../lib/config/tiers';

/** An API key's record in the table: which tier (usage plan) the key belongs to. Never holds the key value. */
export interface ApiKeyRecord {
  readonly apiKeyId: string;
  readonly name: string;
  readonly tier: TierName;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** A freshly provisioned key: the value is shown once, to the operator who created it. */
export interface ProvisionedApiKey extends ApiKeyRecord {
  readonly value: string;
}

/**
 * Where keys live and how they join a tier's usage plan. AWS: API Gateway API keys + usage plan keys.
 * Local stack: the local gateway's key store. The admin CLI and the local stack's first start use this.
 */
export interface KeyProvisioner {
  create(name: string, tier: TierName): Promise<ProvisionedApiKey>;
  list(): Promise<readonly ApiKeyRecord[]>;
  revoke(apiKeyId: string): Promise<void>;
  /**
   * Puts every active key in every usage plan of its tier, for keys made before a plan existed. Only where
   * memberships are stored apart from the key (AWS); the local gateway applies plans by the key's tier.
   */
  syncPlans?(): Promise<PlanSync>;
}

/** What `syncPlans` did. */
export interface PlanSync {
  /** Active keys looked at. */
  readonly keys: number;
  /** Plan memberships added (a key already in a plan is left as it is). */
  readonly joined: number;
}
