import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { json } from '../http/responses';
import { statsRepositoryFromEnv } from '../stats/dynamo-stats-repository';
import { StatsService } from '../stats/stats-service';

const stats = new StatsService(statsRepositoryFromEnv());

/** GET /stats: service totals, the same for every caller, so cacheable for the in-memory lifetime. */
export async function getStats(event: ApiEvent): Promise<ApiResult> {
  callerKeyId(event); // a keyed route: refuse a request that somehow arrives without a key
  const { stats: view, maxAgeSeconds } = await stats.current();
  return json(200, view, { cacheControl: `private, max-age=${maxAgeSeconds}` });
}

export const handler = httpHandler(getStats);
