/**
 * Service worker: the app shell opens offline, and the newest history page the user saw is kept so it
 * can be shown offline too. Hashed assets are immutable, so they are served cache-first; the page, its
 * config and the history page go to the network first and fall back to the copy.
 */
import { API_KEY_HEADER, CLEAR_SAVED_HISTORY, isFirstHistoryPage, SAVED_AT_FIELD } from './offline-history';

/** Injected by web/build.ts: the shell's files relative to the worker, and a hash of them. */
declare const __SHELL__: readonly string[];
declare const __VERSION__: string;

// The DOM lib has no worker-scope types, and mixing in the WebWorker lib conflicts with it; these are
// the few members this worker uses.
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface MessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
}
interface WorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}

const worker = self as unknown as WorkerScope;
const SHELL_CACHE = `vnt-shell-${__VERSION__}`;
const DATA_CACHE = 'vnt-data';
const shellUrl = (path: string): string => new URL(path, worker.registration.scope).href;
const SHELL = new Set(__SHELL__.map(shellUrl));
const ENTRY = shellUrl('./');
const CONFIG = shellUrl('config.json');

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll([...SHELL]))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('vnt-shell-') && n !== SHELL_CACHE).map((n) => caches.delete(n))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('message', (event) => {
  if (event.data === CLEAR_SAVED_HISTORY) event.waitUntil(caches.delete(DATA_CACHE));
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    // Other pages beside the app (api.html, the API reference) must not be saved as the app's entry.
    if (!isAppPage(url)) return;
    event.respondWith(networkFirst(request, ENTRY));
  } else if (url.href === CONFIG) {
    event.respondWith(networkFirst(request, CONFIG));
  } else if (SHELL.has(url.href)) {
    event.respondWith(caches.match(url.href).then((hit) => hit ?? fetch(request)));
  } else if (isFirstHistoryPage(request.method, url) && request.headers.has(API_KEY_HEADER)) {
    event.respondWith(historyPage(request));
  }
});

/** The app's own pages: its entry and extension-less client-side routes (as the CDN's fallback decides). */
function isAppPage(url: URL): boolean {
  const lastSegment = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  return !lastSegment.includes('.') || url.href === shellUrl('index.html');
}

/** Network, refreshing the cached copy; the copy when the network fails. */
async function networkFirst(request: Request, cacheKey: string): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      void caches.open(SHELL_CACHE).then((cache) => cache.put(cacheKey, copy));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(cacheKey);
    if (cached) return cached;
    throw error;
  }
}

/**
 * The first history page, network first. The saved copy is keyed by a hash of the API key (never the key
 * itself), only the latest one is kept, and an offline answer says when it was saved.
 */
async function historyPage(request: Request): Promise<Response> {
  const cacheKey = shellUrl(`__saved-history/${await sha256(request.headers.get(API_KEY_HEADER) ?? '')}`);
  try {
    const response = await fetch(request);
    // A page that cannot be saved is still the answer.
    if (response.ok) await saveHistoryPage(cacheKey, response.clone()).catch(() => undefined);
    return response;
  } catch (error) {
    const cached = await caches.open(DATA_CACHE).then((cache) => cache.match(cacheKey));
    if (cached) return cached;
    throw error;
  }
}

/** Keeps the page with the time it was saved (SAVED_AT_FIELD), replacing any older copy. */
async function saveHistoryPage(cacheKey: string, response: Response): Promise<void> {
  const page = (await response.json()) as object;
  const saved = new Response(JSON.stringify({ ...page, [SAVED_AT_FIELD]: new Date().toISOString() }), {
    headers: { 'content-type': 'application/json' },
  });
  await caches.delete(DATA_CACHE);
  await caches.open(DATA_CACHE).then((cache) => cache.put(cacheKey, saved));
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
