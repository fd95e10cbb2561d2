import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { json } from '../http/responses';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { JobService } from '../jobs/job-service';
import { jobIdParam } from './job-id-param';

const jobs = new JobService(jobRepositoryFromEnv());

/** GET /jobs/{jobId}: the caller's job; another key's job is a 404 exactly like a missing one. */
export async function getJob(event: ApiEvent): Promise<ApiResult> {
  const ownerId = callerKeyId(event);
  const jobId = jobIdParam(event);
  return json(200, await jobs.get(ownerId, jobId));
}

export const handler = httpHandler(getJob);
