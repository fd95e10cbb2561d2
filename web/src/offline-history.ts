/**
 * Shared between the page and the service worker: which request is "the first history page" that the
 * worker keeps for offline use, and the header it adds when it answers from that copy.
 */
export const SAVED_AT_HEADER = 'x-vnt-saved-at';
export const API_KEY_HEADER = 'x-api-key';
/** Message the page posts to the worker when the key is forgotten or replaced. */
export const CLEAR_SAVED_HISTORY = 'vnt:clear-saved-history';

/** GET …/jobs without a cursor: the newest page of history. */
export function isFirstHistoryPage(method: string, url: URL): boolean {
  return method === 'GET' && /\/jobs$/.test(url.pathname) && !url.searchParams.has('cursor');
}
