import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { logger } from '../shared/powertools';

export interface WebSocketAuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly { readonly Action: string; readonly Effect: 'Allow'; readonly Resource: string }[];
  };
  /** API Gateway validates this value against the usage plans and fills `identity.apiKeyId` for $connect. */
  readonly usageIdentifierKey: string;
}

/** API key values are 20–128 printable characters; anything else is refused before API Gateway looks it up. */
const API_KEY_PATTERN = /^[\x21-\x7e]{20,128}$/;

/**
 * WebSocket $connect authorizer. Browsers cannot set headers on a WebSocket handshake, so clients pass the
 * key as `?apiKey=`; this hands it to API Gateway as the usage identifier key, and API Gateway checks it
 * against the tiers' usage plans exactly as it does the REST API's `x-api-key`. Throwing 'Unauthorized' is
 * API Gateway's documented way to answer 401.
 */
export async function authorize(event: Pick<APIGatewayRequestAuthorizerEvent, 'methodArn' | 'queryStringParameters'>): Promise<WebSocketAuthorizerResult> {
  const apiKey = event.queryStringParameters?.apiKey;
  if (apiKey === undefined || !API_KEY_PATTERN.test(apiKey)) {
    logger.info('WebSocket connect refused: missing or malformed apiKey');
    throw new Error('Unauthorized');
  }
  return {
    principalId: 'api-key',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
    },
    usageIdentifierKey: apiKey,
  };
}

export const handler = authorize;
