import { CACHE_TTLS } from '../../lib/config/limits';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { json } from '../http/responses';
import { openApiDocument } from './openapi/openapi-document';

/** GET /openapi.json: the API contract. Public and the same for everyone, so cacheable. */
export async function getOpenApi(_event: ApiEvent): Promise<ApiResult> {
  return json(200, openApiDocument, { cacheControl: `public, max-age=${CACHE_TTLS.publicDocumentSeconds}` });
}

export const handler = httpHandler(getOpenApi);
