/** An API Gateway WebSocket Lambda event (`$connect`, `$disconnect` or a message route), shaped like the real thing. */
export function webSocketEvent(
  routeKey: string,
  connectionId: string,
  options: { readonly apiKeyId?: string; readonly body?: unknown; readonly stage?: string } = {},
) {
  return {
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId,
      requestId: `req-${connectionId}`,
      apiId: 'abc123',
      stage: options.stage ?? 'test',
      domainName: 'ws.example.test',
      identity: { sourceIp: '203.0.113.7', ...(options.apiKeyId ? { apiKeyId: options.apiKeyId } : {}) },
    },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  };
}
