import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CACHE_TTLS } from '../../../lib/config/limits';
import type { LanguageCode } from '../../../lib/config/languages';
import { keys, TABLE } from '../../../lib/config/table-design';
import { ENV } from '../../../lib/config/env-names';
import { dynamoDocumentClient } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { expiresAfter, isLive } from '../../shared/item-expiry';

/** A whole note's result, reusable for the same decoded audio and target language. */
export interface CachedNoteResult {
  readonly transcript: string;
  readonly detectedLanguage: LanguageCode;
  readonly translation: string;
}

/** What makes two notes the same for the cache: the decoded sound, the target, and the caller's hint. */
export interface AudioResultKey {
  readonly audioHash: string;
  readonly targetLanguage: LanguageCode;
  readonly languageHint: LanguageCode | null;
}

/**
 * Whole-note results keyed by the SHA-256 of the decoded PCM, the target language and the language hint
 * (`AUDIO#<hash>#<target>#<hint|auto>`), so the same sound re-sent in any container skips Transcribe and
 * Translate.
 */
export interface AudioResultCache {
  get(key: AudioResultKey): Promise<CachedNoteResult | undefined>;
  /** `ttlSeconds` caps the entry's life (never longer than the cache TTL). */
  put(key: AudioResultKey, result: CachedNoteResult, ttlSeconds?: number): Promise<void>;
}

function cacheKey(key: AudioResultKey) {
  return keys.audioResult(key.audioHash, key.targetLanguage, key.languageHint);
}

export interface DynamoAudioResultCacheOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default CACHE_TTLS.audioResultSeconds */
  readonly ttlSeconds?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export class DynamoAudioResultCache implements AudioResultCache {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(options: DynamoAudioResultCacheOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? CACHE_TTLS.audioResultSeconds;
    this.now = options.now ?? (() => new Date());
  }

  async get(key: AudioResultKey): Promise<CachedNoteResult | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: cacheKey(key) }));
    // TTL deletes lazily (and dynalite never): an expired entry is a miss.
    if (!Item || !isLive(Item, this.now())) {
      return undefined;
    }
    return {
      transcript: String(Item.transcript),
      detectedLanguage: Item.detectedLanguage as LanguageCode,
      translation: String(Item.translation),
    };
  }

  async put(key: AudioResultKey, result: CachedNoteResult, ttlSeconds = this.ttlSeconds): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...cacheKey(key),
          transcript: result.transcript,
          detectedLanguage: result.detectedLanguage,
          translation: result.translation,
          createdAt: this.now().toISOString(),
          [TABLE.ttlAttribute]: expiresAfter(this.now(), Math.min(ttlSeconds, this.ttlSeconds)),
        },
      }),
    );
  }
}

export function audioResultCacheFromEnv(): DynamoAudioResultCache {
  return new DynamoAudioResultCache({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
