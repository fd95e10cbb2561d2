/**
 * Where the API and the progress socket live. `config.json` next to index.html says so per deployment:
 * the build writes the local default (same origin), and the CDK deployment overwrites it with the
 * CloudFront API prefix and the WebSocket API's wss:// URL. Missing or broken config means same origin.
 */
export interface ClientConfig {
  /** '' = this origin; '/api' = a path prefix behind CloudFront; or an absolute https:// URL. */
  readonly apiBaseUrl: string;
  /** Absolute ws(s):// URL, or a path resolved against this origin ('/ws'); '' disables the socket. */
  readonly webSocketUrl: string;
}

export const DEFAULT_CONFIG: ClientConfig = { apiBaseUrl: '', webSocketUrl: '/ws' };

export async function loadConfig(fetchImpl: typeof fetch = (i, init) => fetch(i, init)): Promise<ClientConfig> {
  try {
    const response = await fetchImpl('config.json', { cache: 'no-cache' });
    return response.ok ? parseConfig(await response.json()) : DEFAULT_CONFIG;
  } catch {
    return DEFAULT_CONFIG;
  }
}

export function parseConfig(value: unknown): ClientConfig {
  if (typeof value !== 'object' || value === null) return DEFAULT_CONFIG;
  const { apiBaseUrl, webSocketUrl } = value as Partial<Record<keyof ClientConfig, unknown>>;
  return {
    apiBaseUrl: typeof apiBaseUrl === 'string' ? apiBaseUrl : DEFAULT_CONFIG.apiBaseUrl,
    webSocketUrl: typeof webSocketUrl === 'string' ? webSocketUrl : DEFAULT_CONFIG.webSocketUrl,
  };
}

/** Resolves a relative socket path against the page: http → ws, https → wss. */
export function resolveWebSocketUrl(configured: string, page: { protocol: string; host: string }): string | undefined {
  if (!configured) return undefined;
  if (/^wss?:\/\//i.test(configured)) return configured;
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return new URL(configured, `${scheme}//${page.host}/`).toString();
}
