import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import type { TierName } from '../../lib/config/tiers';
import { NotFoundError } from '../shared/errors';
import type { ApiKeyRecord, KeyProvisioner, ProvisionedApiKey } from './api-key';
import type { ApiKeyRepository } from './api-key-repository';

export interface AwsKeyProvisionerOptions {
  readonly apiGateway: APIGatewayClient;
  readonly keys: ApiKeyRepository;
  /** Stage whose usage plans (`vnt-<stage>-<tier>`) new keys join. */
  readonly stage: string;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/** The usage plan a tier's keys belong to; the API construct names plans the same way. */
export function usagePlanName(stage: string, tier: TierName): string {
  return `vnt-${stage}-${tier}`;
}

/**
 * Provisions keys on AWS: an API Gateway API key in the tier's usage plan (quota + throttle at the edge)
 * plus the KEY# record that tells the functions the tier. A key is only handed out once both exist; if a
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
    const usagePlanId = await this.usagePlanId(tier);
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
      await this.apiGateway.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: created.id, keyType: 'API_KEY' }));
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

  private async usagePlanId(tier: TierName): Promise<string> {
    const wanted = usagePlanName(this.stage, tier);
    let position: string | undefined;
    do {
      const page = await this.apiGateway.send(new GetUsagePlansCommand({ position, limit: 500 }));
      const plan = page.items?.find((p) => p.name === wanted);
      if (plan?.id) return plan.id;
      position = page.position;
    } while (position);
    throw new NotFoundError(`No usage plan named ${wanted}: is the ${this.stage} stage deployed?`, 'USAGE_PLAN_NOT_FOUND');
  }
}
