import type { ApiKeyRecord, KeyProvisioner, ProvisionedApiKey } from '../../functions/keys/api-key';
import type { TierName } from '../../lib/config/tiers';
import { LOCAL } from '../config';
import { cannotReachLocalStack, type LocalApiSource } from '../running-stack';

export interface LocalKeyProvisionerOptions {
  /** The running local stack, e.g. `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  /** Its admin token (`<state dir>/admin-token`). */
  readonly adminToken: string;
  /** Where `apiUrl` came from, named when the stack does not answer. @default - not named */
  readonly apiSource?: LocalApiSource;
}

/**
 * Provisions keys on a running local stack through its loopback admin endpoint; the AWS provisioner's
 * counterpart for `npm run keys -- --target local`.
 */
export class LocalKeyProvisioner implements KeyProvisioner {
  private readonly base: string;
  private readonly authorization: string;
  private readonly unreachable: string;

  constructor(options: LocalKeyProvisionerOptions) {
    const apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.base = `${apiUrl}${LOCAL.adminKeysPath}`;
    this.unreachable = cannotReachLocalStack(apiUrl, options.apiSource);
    this.authorization = `Bearer ${options.adminToken}`;
  }

  async create(name: string, tier: TierName): Promise<ProvisionedApiKey> {
    return (await this.request('POST', this.base, { name, tier })) as ProvisionedApiKey;
  }

  async list(): Promise<readonly ApiKeyRecord[]> {
    return ((await this.request('GET', this.base)) as { items: ApiKeyRecord[] }).items;
  }

  async revoke(apiKeyId: string): Promise<void> {
    await this.request('DELETE', `${this.base}/${encodeURIComponent(apiKeyId)}`);
  }

  private async request(method: string, url: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(this.unreachable, { cause: error });
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new Error(`${error?.code ?? `HTTP_${response.status}`}: ${error?.message ?? text}`);
    }
    return parsed;
  }
}
