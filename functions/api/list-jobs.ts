import * as z from 'zod';
import { API } from '../../lib/config/limits';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { json } from '../http/responses';
import { parseWith } from '../http/validation';
import { cursorSecretFromEnv } from '../jobs/cursor-secret';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { HistoryCursorCodec, MAX_CURSOR_LENGTH } from '../jobs/history-cursor';
import { HistoryService } from '../jobs/history-service';

/** Query strings arrive as text: `limit` must be a plain integer in range, not "1e2" or "10abc". */
export const listJobsQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(1).max(API.historyPageMax))
    .optional(),
  cursor: z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
});

const history = new HistoryService(jobRepositoryFromEnv(), new HistoryCursorCodec(cursorSecretFromEnv()));

/** GET /jobs: the caller's history, newest first. */
export async function listJobs(event: ApiEvent): Promise<ApiResult> {
  const ownerId = callerKeyId(event);
  const query = parseWith(listJobsQuery, event.queryStringParameters ?? {}, 'query string');
  return json(200, await history.list(ownerId, query.limit ?? API.historyPageDefault, query.cursor));
}

export const handler = httpHandler(listJobs);
