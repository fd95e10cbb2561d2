import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { ENV } from '../../lib/config/env-names';
import { METRICS } from '../../lib/config/metric-names';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { json } from '../http/responses';
import { parseWith } from '../http/validation';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { S3UploadPresigner } from '../jobs/s3-upload-presigner';
import { UploadService } from '../jobs/upload-service';
import { ApiKeyService } from '../keys/api-key-service';
import { apiKeyRepositoryFromEnv } from '../keys/dynamo-api-key-repository';
import { languageCatalog } from '../languages/engines';
import { s3 } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { QuotaExceededError } from '../shared/errors';
import { metrics } from '../shared/powertools';
import { usageMeterFromEnv } from '../usage/dynamo-usage-meter';
import { UsageService } from '../usage/usage-service';

/** Shape only; which types, languages and sizes are accepted is the service's rule (415/400/413). */
export const createUploadBody = z.strictObject({
  contentType: z.string().min(1).max(255),
  sizeBytes: z.number().int().positive().optional(),
  targetLanguage: z.string().min(1).max(16).optional(),
  sourceLanguage: z.string().min(1).max(16).optional(),
});

const keyService = new ApiKeyService(apiKeyRepositoryFromEnv());
const uploads = new UploadService({
  jobs: jobRepositoryFromEnv(),
  presigner: new S3UploadPresigner({ client: s3(), bucket: requireEnv(ENV.uploadsBucket) }),
  usage: new UsageService(usageMeterFromEnv()),
  languages: languageCatalog,
});

/** POST /uploads: a metered call that returns a presigned POST for one voice note. */
export async function createUpload(event: ApiEvent): Promise<ApiResult> {
  const apiKeyId = callerKeyId(event);
  const body = parseWith(createUploadBody, event.body ?? {}, 'request body');
  const caller = await keyService.caller(apiKeyId);
  try {
    const { job, upload } = await uploads.start(caller, body);
    metrics.addMetric(METRICS.names.uploadsCreated, MetricUnit.Count, 1);
    return json(201, { jobId: job.jobId, status: job.status, upload }, { headers: { Location: `/jobs/${job.jobId}` } });
  } catch (error) {
    if (error instanceof QuotaExceededError) metrics.addMetric(METRICS.names.quotaRejected, MetricUnit.Count, 1);
    throw error;
  }
}

export const handler = httpHandler(createUpload);
