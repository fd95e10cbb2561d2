import {
  type APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import type { TierName } from '../../lib/config/tiers';
import { API_SURFACES, usagePlanName } from '../../lib/config/usage-plans';
import { NotFoundError } from '../shared/errors';
import type { ApiKeyRecord, KeyProvisioner, PlanSync, ProvisionedApiKey } from './api-key';
import type { ApiKeyRepository } from './api-key-repository';

export interface AwsKeyProvisionerOptions {
  readonly apiGateway: APIGatewayClient;
  readonly keys: ApiKeyRepository;
  /** Stage whose usage plans (`vnt-<stage>-<tier>-<surface>`) new keys join. */
  readonly stage: string;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/**
 * Provisions keys on AWS: an API Gateway API key in both usage plans of its tier (lib/config/usage-plans.ts:
 * the metered plan with the throttle and the quota backstop, the reads plan with the throttle only) plus the
 * KEY# record that tells the functions the tier. A key is only handed out once all of them exist; if a
 * later step fails, the half-made API key is deleted again.
 */
export class AwsKeyProvisioner implements KeyProvisioner {
  private readonly apiGateway: APIGatewayClient;
  private readonly keys: ApiKeyRepository;
  private readonly stage: string;
  private readonly now: () => Date;

  constructor(options: AwsKeyProvisionerOptions) {
    this.apiGateway = options.apiGateway;
    this.keys = options.keys;
    this.stage = options.stage;
    this.now = options.now ?? (() => new Date());
  }

  async create(name: string, tier: TierName): Promise<ProvisionedApiKey> {
    const usagePlanIds = (await this.tierPlanIds([tier]))[tier];
    const created = await this.apiGateway.send(
      new CreateApiKeyCommand({
        name: `vnt-${this.stage}-${name}`,
        description: `${name} (${tier} tier)`,
        enabled: true,
        tags: { tier, stage: this.stage },
      }),
    );
    if (!created.id || !created.value) throw new Error('API Gateway returned an API key without id or value');
    const record: ApiKeyRecord = { apiKeyId: created.id, name, tier, createdAt: this.now().toISOString() };
    try {
      for (const usagePlanId of usagePlanIds) {
        await this.apiGateway.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: created.id, keyType: 'API_KEY' }));
      }
      await this.keys.create(record);
    } catch (error) {
      await this.apiGateway.send(new DeleteApiKeyCommand({ apiKey: created.id })).catch(() => undefined);
      throw error;
    }
    return { ...record, value: created.value };
  }

  list(): Promise<readonly ApiKeyRecord[]> {
    return this.keys.list();
  }

  /** Disables the key at the edge first (immediate effect), then stamps the record. */
  async revoke(apiKeyId: string): Promise<void> {
    const record = await this.keys.get(apiKeyId);
    if (!record) throw new NotFoundError(`No key ${apiKeyId} in this stage.`, 'KEY_NOT_FOUND');
    await this.apiGateway.send(
      new UpdateApiKeyCommand({
        apiKey: apiKeyId,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
      }),
    );
    await this.keys.markRevoked(apiKeyId, this.now().toISOString());
  }

  /**
   * Puts every active key in every usage plan of its tier; idempotent. Run once after deploying a version
   * that adds plans (the metered/reads split) to a stage whose keys predate them.
   */
  async syncPlans(): Promise<PlanSync> {
    const active = (await this.keys.list()).filter((record) => record.revokedAt === undefined);
    const planIds = await this.tierPlanIds([...new Set(active.map((record) => record.tier))]);
    let joined = 0;
    for (const record of active) {
      for (const usagePlanId of planIds[record.tier]) {
        try {
          await this.apiGateway.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: record.apiKeyId, keyType: 'API_KEY' }));
          joined += 1;
        } catch (error) {
          if (!(error instanceof ConflictException)) throw error; // already in this plan
        }
      }
    }
    return { keys: active.length, joined };
  }

  /** The ids of every usage plan of each tier, found by name in one pass over the account's plans. */
  private async tierPlanIds(tiers: readonly TierName[]): Promise<Record<TierName, string[]>> {
    const wanted = new Map(tiers.flatMap((tier) => API_SURFACES.map((surface) => [usagePlanName(this.stage, tier, surface), tier] as const)));
    const found = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await this.apiGateway.send(new GetUsagePlansCommand({ position, limit: 500 }));
      for (const plan of page.items ?? []) {
        if (plan.id && plan.name && wanted.has(plan.name)) found.set(plan.name, plan.id);
      }
      position = page.position;
    } while (position && found.size < wanted.size);
    const missing = [...wanted.keys()].filter((name) => !found.has(name));
    if (missing.length > 0) {
      throw new NotFoundError(`No usage plan named ${missing.join(', ')}: is the ${this.stage} stage deployed?`, 'USAGE_PLAN_NOT_FOUND');
    }
    const ids = {} as Record<TierName, string[]>;
    for (const [name, tier] of wanted) (ids[tier] ??= []).push(found.get(name)!);
    return ids;
  }
}
