import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { ApiKeyRecord, KeyProvisioner, ProvisionedApiKey } from '../../functions/keys/api-key';
import type { ApiKeyRepository } from '../../functions/keys/api-key-repository';
import { ConflictError, NotFoundError } from '../../functions/shared/errors';
import type { TierName } from '../../lib/config/tiers';
import { readText } from '../state-dir';

/** What the file keeps per key: the record plus the value API Gateway would hold. */
type StoredKey = ProvisionedApiKey;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The local gateway's API keys: what API Gateway's key store holds in AWS (id, value, usage plan), kept in
 * `.local/api-keys.json`, plus the KEY#<id> → tier record in the table that the functions read, written
 * through the same repository the AWS provisioner uses.
 */
export class LocalKeyStore implements KeyProvisioner {
  private readonly byValue = new Map<string, StoredKey>();
  private readonly byId = new Map<string, StoredKey>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly records: ApiKeyRepository,
  ) {}

  /** Loads the file and re-creates any KEY# record the table lost (e.g. a wiped table directory). */
  static async open(file: string, records: ApiKeyRepository): Promise<LocalKeyStore> {
    const store = new LocalKeyStore(file, records);
    const text = await readText(file);
    const saved = text === undefined ? [] : (JSON.parse(text) as StoredKey[]);
    for (const key of saved) store.remember(key);
    for (const key of saved) {
      if ((await records.get(key.apiKeyId)) === undefined) await records.create(recordOf(key));
      if (key.revokedAt !== undefined) await records.markRevoked(key.apiKeyId, key.revokedAt);
    }
    return store;
  }

  /** The active (not revoked) key with this value, as API Gateway resolves the `x-api-key` header. */
  findActiveByValue(value: string): ApiKeyRecord | undefined {
    const key = this.byValue.get(value);
    return key === undefined || key.revokedAt !== undefined ? undefined : recordOf(key);
  }

  async create(name: string, tier: TierName): Promise<ProvisionedApiKey> {
    const key: StoredKey = {
      // API Gateway's shapes: a 10-character lower-case id and a 40-character value.
      apiKeyId: randomString('abcdefghijklmnopqrstuvwxyz0123456789', 10),
      value: randomString(ALPHANUMERIC, 40),
      name,
      tier,
      createdAt: new Date().toISOString(),
    };
    if (this.byId.has(key.apiKeyId)) throw new ConflictError('Key id collision; try again.', 'KEY_EXISTS');
    await this.records.create(recordOf(key));
    this.remember(key);
    await this.persist();
    return key;
  }

  async list(): Promise<readonly ApiKeyRecord[]> {
    return [...this.byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(recordOf);
  }

  async revoke(apiKeyId: string): Promise<void> {
    const key = this.byId.get(apiKeyId);
    if (key === undefined) throw new NotFoundError(`No API key ${apiKeyId}.`, 'KEY_NOT_FOUND');
    if (key.revokedAt !== undefined) return;
    const revoked: StoredKey = { ...key, revokedAt: new Date().toISOString() };
    await this.records.markRevoked(apiKeyId, revoked.revokedAt!);
    this.remember(revoked);
    await this.persist();
  }

  private remember(key: StoredKey): void {
    this.byId.set(key.apiKeyId, key);
    this.byValue.set(key.value, key);
  }

  private persist(): Promise<void> {
    const snapshot = `${JSON.stringify([...this.byId.values()], null, 2)}\n`;
    this.writing = this.writing.then(() => writeFile(this.file, snapshot, { mode: 0o600 }));
    return this.writing;
  }
}

function recordOf(key: StoredKey): ApiKeyRecord {
  const { value: _value, ...record } = key;
  return record;
}

/** Cryptographically random and unbiased (randomInt rejects out-of-range draws). */
function randomString(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}
