import { describe, expect, it, vi } from 'vitest';
import type { StatsRepository, StatsTotals } from '../../../functions/stats/stats-repository';
import { StatsService } from '../../../functions/stats/stats-service';

const totals: StatsTotals = {
  notesCompleted: 3,
  notesFailed: 1,
  cacheHits: 1,
  detectedLanguages: { es: 3 },
  targetLanguages: { en: 3 },
  failures: { NO_SPEECH: 1 },
};

function fakeRepository(read = vi.fn(async () => totals)): StatsRepository & { read: typeof read } {
  return { read, recordCompletion: vi.fn(), recordFailure: vi.fn() };
}

describe('StatsService', () => {
  it('shows service totals with the cache hit ratio', async () => {
    const now = new Date('2026-03-14T12:00:00Z');
    const service = new StatsService(fakeRepository(), () => now, 600);

    await expect(service.current()).resolves.toEqual({
      stats: {
        notesTranslated: 3,
        notesFailed: 1,
        cacheHits: 1,
        cacheHitRatio: 0.3333,
        languages: { detected: { es: 3 }, target: { en: 3 } },
        failures: { NO_SPEECH: 1 },
        generatedAt: now.toISOString(),
      },
      maxAgeSeconds: 600,
    });
  });

  it('answers from memory until the TTL passes, with a shrinking max-age', async () => {
    let now = new Date('2026-03-14T12:00:00Z');
    const repository = fakeRepository();
    const service = new StatsService(repository, () => now, 600);

    await service.current();
    now = new Date('2026-03-14T12:09:00Z');
    const cached = await service.current();
    now = new Date('2026-03-14T12:10:00Z');
    await service.current();

    expect(cached.maxAgeSeconds).toBe(60);
    expect(repository.read).toHaveBeenCalledTimes(2);
  });

  it('reports a ratio of 0 before any note completed', async () => {
    const service = new StatsService(fakeRepository(vi.fn(async () => ({ ...totals, notesCompleted: 0, cacheHits: 0 }))));
    expect((await service.current()).stats.cacheHitRatio).toBe(0);
  });

  it('does not cache a failed read', async () => {
    const read = vi.fn<() => Promise<StatsTotals>>().mockRejectedValueOnce(new Error('down')).mockResolvedValue(totals);
    const service = new StatsService(fakeRepository(read as never));
    await expect(service.current()).rejects.toThrow('down');
    await expect(service.current()).resolves.toMatchObject({ stats: { notesTranslated: 3 } });
  });
});
