import type { LanguageCode } from '../../lib/config/languages';
import type { PipelineFailureCode } from '../shared/errors';

/** What the pipeline reports when a note completes. */
export interface CompletionRecord {
  readonly detectedLanguage: LanguageCode;
  readonly targetLanguage: LanguageCode;
  /** True when the whole-note result came from the audio cache. */
  readonly cached: boolean;
}

/** Service-wide totals since the table was created. Never holds anything per user or per key. */
export interface StatsTotals {
  readonly notesCompleted: number;
  readonly notesFailed: number;
  readonly cacheHits: number;
  /** Completed notes per detected (spoken) language. */
  readonly detectedLanguages: Readonly<Record<string, number>>;
  /** Completed notes per target language. */
  readonly targetLanguages: Readonly<Record<string, number>>;
  /** Failed notes per failure code. */
  readonly failures: Readonly<Record<string, number>>;
}

/**
 * Service totals for GET /stats. Writes are single atomic counter increments so concurrent pipeline
 * executions never lose an update.
 */
export interface StatsRepository {
  recordCompletion(record: CompletionRecord): Promise<void>;
  recordFailure(code: PipelineFailureCode): Promise<void>;
  read(): Promise<StatsTotals>;
}
