import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API } from '../../lib/config/limits';
import type { ApiEvent } from './api-event';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../shared/errors';

export interface JsonBodyParserOptions {
  /** @default - API.maxBodyBytes */
  readonly maxBytes?: number;
}

/**
 * Replaces the raw string body with the parsed JSON value (undefined when there is no body). Checks the
 * size before parsing so an oversized body costs nothing, and refuses bodies declared as something other
 * than JSON rather than guessing.
 */
export function jsonBodyParser(options: JsonBodyParserOptions = {}): MiddlewareObj<APIGatewayProxyEvent> {
  const maxBytes = options.maxBytes ?? API.maxBodyBytes;
  return {
    name: 'jsonBodyParser',
    before: (request) => {
      const event = request.event as unknown as ApiEvent;
      const raw = event.body;
      if (raw === null || raw === undefined || raw === '') {
        event.body = undefined;
        return;
      }
      if (typeof raw !== 'string') return; // already parsed (e.g. a test or a nested chain)
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.byteLength > maxBytes) {
        throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`, 'BODY_TOO_LARGE', {
          maxBytes,
        });
      }
      const contentType = headerValue(event.headers, 'content-type');
      if (contentType !== undefined && !isJsonMediaType(contentType)) {
        throw new UnsupportedMediaTypeError('The request body must be JSON (Content-Type: application/json).');
      }
      try {
        event.body = JSON.parse(bytes.toString('utf8')) as unknown;
      } catch {
        throw new ValidationError('The request body is not valid JSON.', undefined, 'INVALID_JSON');
      }
    },
  };
}

function headerValue(headers: APIGatewayProxyEvent['headers'] | null, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}
