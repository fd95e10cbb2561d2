import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../smoke/check-list';
import type { LatencyRow } from '../../../smoke/latency';
import { EXIT_CODES, verdictOf } from '../../../smoke/verdict';

const pass: CheckResult = { name: 'health', outcome: 'pass', detail: 'ok' };
const met: LatencyRow = { stage: 'health', targetMs: 50, measuredMs: 5, samples: 1, met: true };
const missed: LatencyRow = { stage: 'whole note', targetMs: 10_000, measuredMs: 12_000, samples: 1, met: false };
const load = { notes: 3, completed: 3, failed: 0, cached: 0, makespanMs: 1, notesPerMinute: 1, stages: [], errors: [] };

describe('verdictOf', () => {
  it('passes when every check passed, a missed target included', () => {
    const verdict = verdictOf({ checks: [pass], latency: [met, missed], strict: false });

    expect(verdict.exitCode).toBe(EXIT_CODES.passed);
    expect(verdict.summary).toBe('PASSED · 1/1 checks passed · 1/2 latency targets met (a missed target fails the run only with --strict)');
  });

  it('fails a missed target with --strict, with its own exit code', () => {
    expect(verdictOf({ checks: [pass], latency: [met, missed], strict: true }).exitCode).toBe(EXIT_CODES.targetMissed);
  });

  it('fails on a failed or skipped check, whatever the latencies', () => {
    for (const outcome of ['fail', 'skip'] as const) {
      const verdict = verdictOf({ checks: [pass, { name: 'delete', outcome, detail: '' }], latency: [met], strict: false });
      expect(verdict.exitCode).toBe(EXIT_CODES.checkFailed);
      expect(verdict.summary).toMatch(/^FAILED · 1\/2 checks passed/);
    }
  });

  it('fails when a note of the load run failed', () => {
    const verdict = verdictOf({ checks: [pass], latency: [met], load: { ...load, completed: 2, failed: 1 }, strict: false });

    expect(verdict.exitCode).toBe(EXIT_CODES.checkFailed);
    expect(verdict.summary).toContain('2/3 load notes completed');
  });
});
