import type { HistoryCursorCodec } from './history-cursor';
import type { JobRepository } from './job-repository';
import { type JobView, toPublicJob } from './job-view';

export interface HistoryPageView {
  readonly items: readonly JobView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The caller's history, newest first, paged with signed cursors. */
export class HistoryService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly cursors: HistoryCursorCodec,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The cursor is verified before anything is read. */
  async list(ownerId: string, limit: number, cursor?: string): Promise<HistoryPageView> {
    const startKey = cursor === undefined ? undefined : await this.cursors.decode(ownerId, cursor);
    const page = await this.jobs.listByOwner(ownerId, limit, startKey);
    const now = this.now();
    return {
      items: page.items.map((job) => toPublicJob(job, now)),
      nextCursor: page.lastKey ? await this.cursors.encode(ownerId, page.lastKey) : null,
    };
  }
}
