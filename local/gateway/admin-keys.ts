import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { AppError } from '../../functions/shared/errors';
import { errorBody } from '../../functions/http/responses';
import { TIER_NAMES } from '../../lib/config/tiers';
import { LOCAL } from '../config';
import { isLoopback, readBody, sendJson } from '../http/server';
import type { LocalKeyStore } from './key-store';

const createKeyRequest = z.object({
  name: z.string().trim().min(1).max(128),
  tier: z.enum(TIER_NAMES),
});

/**
 * `/__local/keys`: the local stand-in for API Gateway's key management (GET list, POST {name, tier},
 * DELETE /__local/keys/{id}), used by `npm run keys -- --target local` through LocalKeyProvisioner.
 * Loopback callers only, whatever address the gateway listens on.
 */
export function adminKeys(keys: LocalKeyStore) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const base = LOCAL.adminKeysPath;
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, errorBody('FORBIDDEN', 'The key admin endpoint only answers loopback callers.'));
      return true;
    }
    const id = url.pathname.slice(base.length + 1);
    try {
      if (req.method === 'GET' && id === '') {
        sendJson(res, 200, { items: await keys.list() });
      } else if (req.method === 'POST' && id === '') {
        const parsed = createKeyRequest.safeParse(parseJson(await readBody(req, 16 * 1024)));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          sendJson(res, 400, errorBody('VALIDATION_ERROR', `Invalid key request: ${issues.join('; ')}`));
          return true;
        }
        sendJson(res, 201, await keys.create(parsed.data.name, parsed.data.tier));
      } else if (req.method === 'DELETE' && /^[a-z0-9]+$/.test(id)) {
        await keys.revoke(id);
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

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
