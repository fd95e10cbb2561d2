import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { callerKeyId } from '../http/identity';
import { json } from '../http/responses';
import { ApiKeyService } from '../keys/api-key-service';
import { apiKeyRepositoryFromEnv } from '../keys/dynamo-api-key-repository';
import { usageMeterFromEnv } from '../usage/dynamo-usage-meter';
import { UsageService } from '../usage/usage-service';

const keyService = new ApiKeyService(apiKeyRepositoryFromEnv());
const usage = new UsageService(usageMeterFromEnv());

/** GET /usage: today's exact metered count for the calling key. */
export async function getUsage(event: ApiEvent): Promise<ApiResult> {
  const caller = await keyService.caller(callerKeyId(event));
  return json(200, await usage.report(caller.apiKeyId, caller.tier));
}

export const handler = httpHandler(getUsage);
