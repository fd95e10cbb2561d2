import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LanguageCode } from '../../lib/config/languages';
import { keys, TABLE } from '../../lib/config/table-design';
import type { CachedTranslation, TextTranslationCache } from './text-translation-cache';
import { expiresAfter, isLive } from '../shared/item-expiry';

interface TextTranslationItem {
  readonly translatedText: string;
  readonly sourceLanguage: LanguageCode;
  readonly targetLanguage: LanguageCode;
  readonly expiresAt: number;
}

/**
 * The text-translation cache in the single table (TEXT#<hash> / TRANSLATION). DynamoDB's TTL deletes lazily
 * (and dynalite not at all), so reads treat an expired item as a miss.
 */
export class DynamoTextTranslationCache implements TextTranslationCache {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(hash: string): Promise<CachedTranslation | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.textTranslation(hash) }));
    const item = Item as Partial<TextTranslationItem> | undefined;
    if (!item || typeof item.translatedText !== 'string') return undefined;
    if (!isLive(item, this.now())) return undefined;
    return {
      translatedText: item.translatedText,
      sourceLanguage: item.sourceLanguage as LanguageCode,
      targetLanguage: item.targetLanguage as LanguageCode,
    };
  }

  async put(hash: string, entry: CachedTranslation, ttlSeconds: number): Promise<void> {
    const item: TextTranslationItem = { ...entry, [TABLE.ttlAttribute]: expiresAfter(this.now(), ttlSeconds) };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.textTranslation(hash), ...item, createdAt: this.now().toISOString() },
      }),
    );
  }
}
