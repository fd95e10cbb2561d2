import type { ApiEvent } from '../http/api-event';
import { isJobId } from '../jobs/job-id';
import { ValidationError } from '../shared/errors';

/** The `{jobId}` path parameter, which must be a job id exactly: no encoded slashes, dots or padding. */
export function jobIdParam(event: Pick<ApiEvent, 'pathParameters'>): string {
  const jobId = event.pathParameters?.jobId;
  if (!isJobId(jobId)) {
    throw new ValidationError('jobId must be a job id as returned by POST /uploads.', { field: 'jobId' }, 'INVALID_JOB_ID');
  }
  return jobId;
}
