import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { AppError } from '../../functions/shared/errors';
import { errorBody } from '../../functions/http/responses';
import { TIER_NAMES } from '../../lib/config/tiers';
import { LOCAL } from '../config';
import { isLoopback, readBodyWithin, sendJson } from '../http/server';
import type { LocalKeyStore } from './key-store';

const createKeyRequest = z.object({
  name: z.string().trim().min(1).max(128),
  tier: z.enum(TIER_NAMES),
});

const MAX_REQUEST_BYTES = 16 * 1024;

export interface AdminKeysOptions {
  readonly keys: LocalKeyStore;
  /** The bearer token every request must carry (`<state dir>/admin-token`). */
  readonly token: string;
}

/**
 * `/__local/keys`: the local stand-in for API Gateway's key management (GET list, POST {name, tier},
 * DELETE /__local/keys/{id}), used by `npm run keys -- --target local` through LocalKeyProvisioner.
 *
 * Only the owner of the state directory may use it, and no web page can: loopback callers only; the token
 * from `<state dir>/admin-token` as `Authorization: Bearer`; no cross-origin `Origin`; JSON bodies only, so a
 * form or `text/plain` POST (which browsers send cross-origin without a preflight) is refused before it is
 * read. The front door has already refused Host names other than loopback ones (DNS rebinding).
 */
export function adminKeys(options: AdminKeysOptions) {
  const expected = Buffer.from(`Bearer ${options.token}`);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const base = LOCAL.adminKeysPath;
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
    const refusal = refusalOf(req, expected);
    if (refusal !== undefined) {
      const [status, code, message] = refusal;
      sendJson(res, status, errorBody(code, message));
      return true;
    }
    const id = url.pathname.slice(base.length + 1);
    try {
      if (req.method === 'GET' && id === '') {
        sendJson(res, 200, { items: await options.keys.list() });
      } else if (req.method === 'POST' && id === '') {
        const body = await readBodyWithin(req, res, MAX_REQUEST_BYTES, () =>
          sendJson(res, 413, errorBody('PAYLOAD_TOO_LARGE', `A key request is at most ${MAX_REQUEST_BYTES} bytes.`)),
        );
        if (body === undefined) return true;
        const parsed = createKeyRequest.safeParse(parseJson(body));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          sendJson(res, 400, errorBody('VALIDATION_ERROR', `Invalid key request: ${issues.join('; ')}`));
          return true;
        }
        sendJson(res, 201, await options.keys.create(parsed.data.name, parsed.data.tier));
      } else if (req.method === 'DELETE' && /^[a-z0-9]+$/.test(id)) {
        await options.keys.revoke(id);
        res.writeHead(204).end();
      } else {
        sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', `${req.method} ${url.pathname} is not supported.`));
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      sendJson(res, error.httpStatus, errorBody(error.code, error.message));
    }
    return true;
  };
}

/** [status, code, message] when the request must be refused before it is read. */
function refusalOf(req: IncomingMessage, expected: Buffer): readonly [number, string, string] | undefined {
  if (!isLoopback(req.socket.remoteAddress)) {
    return [403, 'FORBIDDEN', 'The key admin endpoint only answers loopback callers.'];
  }
  const origin = req.headers.origin;
  // The stack's own pages would send their own origin; any other page (or a sandboxed one: `null`) is refused.
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    return [403, 'CROSS_ORIGIN_REFUSED', 'The key admin endpoint does not answer web pages of other origins.'];
  }
  const presented = Buffer.from(req.headers.authorization ?? '');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return [
      401,
      'ADMIN_TOKEN_REQUIRED',
      'Send the token from <state dir>/admin-token as "Authorization: Bearer <token>" (npm run keys does).',
    ];
  }
  if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    return [415, 'UNSUPPORTED_MEDIA_TYPE', 'Key requests must be JSON (Content-Type: application/json).'];
  }
  return undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
