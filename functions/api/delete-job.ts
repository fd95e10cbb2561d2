import { ENV } from '../../lib/config/env-names';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { noContent } from '../http/responses';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { JobDeletionService } from '../jobs/job-deletion-service';
import { S3JobAudioStore } from '../jobs/s3-job-audio-store';
import { s3 } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { jobIdParam } from './job-id-param';

const deletion = new JobDeletionService(
  jobRepositoryFromEnv(),
  new S3JobAudioStore({
    client: s3(),
    uploadsBucket: requireEnv(ENV.uploadsBucket),
    workBucket: requireEnv(ENV.workBucket),
  }),
);

/**
 * DELETE /jobs/{jobId}: 204 whether the job was deleted, was already gone or belongs to another key
 * (in which case nothing is touched), so the answer never reveals another tenant's job.
 */
export async function deleteJob(event: ApiEvent): Promise<ApiResult> {
  const ownerId = callerKeyId(event);
  const jobId = jobIdParam(event);
  await deletion.delete(ownerId, jobId);
  return noContent();
}

export const handler = httpHandler(deleteJob);
