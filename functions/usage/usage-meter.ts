/** Outcome of one attempt to count a request against a daily quota. */
export interface MeterResult {
  readonly accepted: boolean;
  /** The count after the attempt (unchanged when refused). */
  readonly used: number;
}

/**
 * An exact per-key, per-day counter. `tryConsume` must be a single atomic conditional increment so that,
 * under any concurrency, exactly `limit` calls in a day are accepted.
 */
export interface UsageMeter {
  tryConsume(apiKeyId: string, day: string, limit: number, expiresAt: number): Promise<MeterResult>;
  /** Gives one unit back (the metered work failed on our side). Never goes below zero. */
  release(apiKeyId: string, day: string): Promise<void>;
  read(apiKeyId: string, day: string): Promise<number>;
}
