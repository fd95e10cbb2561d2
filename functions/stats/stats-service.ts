import { CACHE_TTLS } from '../../lib/config/limits';
import type { StatsRepository } from './stats-repository';

/** GET /stats: service-wide totals only, never anything about a caller. */
export interface StatsView {
  readonly notesTranslated: number;
  readonly notesFailed: number;
  readonly cacheHits: number;
  /** cacheHits / notesTranslated, 0 when nothing was translated yet; rounded to 4 decimals. */
  readonly cacheHitRatio: number;
  readonly languages: {
    readonly detected: Readonly<Record<string, number>>;
    readonly target: Readonly<Record<string, number>>;
  };
  readonly failures: Readonly<Record<string, number>>;
  /** When these totals were read. */
  readonly generatedAt: string;
}

export interface CachedStats {
  readonly stats: StatsView;
  /** Seconds the answer stays fresh, for Cache-Control. */
  readonly maxAgeSeconds: number;
}

/**
 * Totals are the same for every caller and change slowly, so each container answers from memory for
 * CACHE_TTLS.statsSeconds instead of reading the table on every request.
 */
export class StatsService {
  private cached?: { stats: StatsView; expiresAtMs: number };

  constructor(
    private readonly repository: StatsRepository,
    private readonly now: () => Date = () => new Date(),
    private readonly ttlSeconds: number = CACHE_TTLS.statsSeconds,
  ) {}

  async current(): Promise<CachedStats> {
    const nowMs = this.now().getTime();
    if (!this.cached || this.cached.expiresAtMs <= nowMs) {
      const totals = await this.repository.read();
      const ratio = totals.notesCompleted === 0 ? 0 : totals.cacheHits / totals.notesCompleted;
      this.cached = {
        expiresAtMs: nowMs + this.ttlSeconds * 1000,
        stats: {
          notesTranslated: totals.notesCompleted,
          notesFailed: totals.notesFailed,
          cacheHits: totals.cacheHits,
          cacheHitRatio: Math.round(ratio * 10_000) / 10_000,
          languages: { detected: totals.detectedLanguages, target: totals.targetLanguages },
          failures: totals.failures,
          generatedAt: new Date(nowMs).toISOString(),
        },
      };
    }
    return {
      stats: this.cached.stats,
      maxAgeSeconds: Math.max(0, Math.ceil((this.cached.expiresAtMs - nowMs) / 1000)),
    };
  }
}
