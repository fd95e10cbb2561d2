import { createHash } from 'node:crypto';
import type { LanguageCode } from '../../lib/config/languages';

export interface CachedTranslation {
  readonly translatedText: string;
  readonly sourceLanguage: LanguageCode;
  readonly targetLanguage: LanguageCode;
}

/** Translated text by hash of (normalised text + languages). Expired entries are misses. */
export interface TextTranslationCache {
  get(hash: string): Promise<CachedTranslation | undefined>;
  put(hash: string, entry: CachedTranslation, ttlSeconds: number): Promise<void>;
}

/**
 * What counts as "the same text": Unicode NFC, whitespace runs collapsed, trimmed. Case and punctuation are
 * kept because they change translations.
 */
export function normalizeForCache(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Cache key hash; the separator keeps ("a b", "c") and ("a", "b c") apart. */
export function textTranslationHash(text: string, source: LanguageCode, target: LanguageCode): string {
  return createHash('sha256').update(`${source}\u0000${target}\u0000${normalizeForCache(text)}`, 'utf8').digest('hex');
}
