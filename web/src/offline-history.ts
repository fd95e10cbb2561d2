/**
 * Shared between the page and the service worker: which request is "the first history page" that the
 * worker keeps for offline use, and the field it adds to that copy (the API client hands the page the body,
 * so the mark travels in it).
 */
export const SAVED_AT_FIELD = 'savedAt';
export const API_KEY_HEADER = 'x-api-key';
/** Message the page posts to the worker when the key is forgotten or replaced. */
export const CLEAR_SAVED_HISTORY = 'vnt:clear-saved-history';

/** GET …/jobs without a cursor: the newest page of history. */
export function isFirstHistoryPage(method: string, url: URL): boolean {
  return method === 'GET' && /\/jobs$/.test(url.pathname) && !url.searchParams.has('cursor');
}

/** When the worker saved this page, if it answered offline from its copy. */
export function savedAtOf(page: object): string | undefined {
  const savedAt = (page as Record<string, unknown>)[SAVED_AT_FIELD];
  return typeof savedAt === 'string' ? savedAt : undefined;
}
