import { CACHE_TTLS } from '../../lib/config/limits';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { json } from '../http/responses';
import { languageCatalog } from '../languages/engines';
import type { LanguagesView } from '../languages/language-catalog';

/**
 * GET /languages: what this deployment recognises and translates into, from its engines. Public like the
 * OpenAPI document: the same for every caller, about the deployment and not a tenant, needed before a key is
 * entered (the web picker), and a keyed call would count against the key's usage plan. Cacheable.
 */
export async function getLanguages(_event: ApiEvent): Promise<ApiResult> {
  const view: LanguagesView = (await languageCatalog()).view();
  return json(200, view, { cacheControl: `public, max-age=${CACHE_TTLS.publicDocumentSeconds}` });
}

export const handler = httpHandler(getLanguages);
