import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built web client (web/dist) like the CDN does: files by path, `index.html` for client-side
 * routes (page loads of paths without an extension). Looked up per request, so a later `npm run build:web`
 * just works.
 */
export function staticSite(root: string) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    } catch {
      return false;
    }
    if (relative.split(sep).includes('..')) return false;
    // Client-side routes fall back to index.html only for page loads (Accept: text/html), so an API client
    // calling a path that does not exist still gets the API's 404, not a web page.
    const wantsPage = (req.headers.accept ?? '').includes('text/html');
    const candidates =
      extname(relative) !== '' ? [relative] : wantsPage ? [join(relative, 'index.html'), 'index.html'] : [join(relative, 'index.html')];
    for (const candidate of candidates) {
      const path = join(root, candidate);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': info.size,
        // Hashed assets can be cached; the HTML entry point must always be revalidated.
        'cache-control': candidate.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
      });
      if (req.method === 'HEAD') res.end();
      // pipeline, not pipe: a read error or a client gone mid-file closes both ends instead of being unhandled.
      else pipeline(createReadStream(path), res, () => undefined);
      return true;
    }
    return false;
  };
}
