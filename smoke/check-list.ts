/** One functional check's outcome: a row of the smoke table. */
export interface CheckResult {
  readonly name: string;
  /** `skip`: not run because a check it needs failed (the run has failed already). */
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly detail: string;
}

/** Why a check failed, in words for its row. */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
}

/** Fails the running check with `message` unless `condition` holds. */
export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailedError(message);
}

/**
 * Runs checks in order and keeps their rows. A check returns its detail, or throws to fail (any error: its
 * message is the detail); a check whose prerequisite did not pass is skipped rather than run against
 * nothing.
 */
export class CheckList {
  private readonly rows: CheckResult[] = [];

  /** @param onResult - each row as soon as its check ends (progress for a person watching) */
  constructor(private readonly onResult: (result: CheckResult) => void = () => {}) {}

  async run<T>(name: string, check: () => Promise<{ detail: string; value: T }>, needs: readonly unknown[] = []): Promise<T | undefined> {
    if (needs.some((value) => value === undefined)) {
      this.add({ name, outcome: 'skip', detail: 'skipped: an earlier check it needs failed' });
      return undefined;
    }
    try {
      const { detail, value } = await check();
      this.add({ name, outcome: 'pass', detail });
      return value;
    } catch (error) {
      this.add({ name, outcome: 'fail', detail: describe(error) });
      return undefined;
    }
  }

  private add(result: CheckResult): void {
    this.rows.push(result);
    this.onResult(result);
  }

  get results(): readonly CheckResult[] {
    return this.rows;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
}
