import type { CorsRule } from '../template/template-bindings';

/**
 * The CORS headers S3 adds to an answer (errors included) when a bucket rule allows the request's origin
 * and method, so a page on another origin can read why its upload was refused. Mirrors what s3rver adds to
 * the answers it gives itself.
 */
export function corsHeaders(
  rules: readonly CorsRule[],
  origin: string | undefined,
  method: string,
): Record<string, string> {
  if (origin === undefined) return {};
  const rule = rules.find(
    (candidate) =>
      candidate.AllowedMethods.includes(method) &&
      candidate.AllowedOrigins.some((allowed) => wildcard(allowed).test(origin)),
  );
  if (rule === undefined) return {};
  const exposed = rule.ExposedHeaders ?? [];
  return {
    'access-control-allow-origin': rule.AllowedOrigins.includes('*') ? '*' : origin,
    ...(exposed.length > 0 && { 'access-control-expose-headers': exposed.join(', ') }),
    ...(rule.MaxAge !== undefined && { 'access-control-max-age': String(rule.MaxAge) }),
    'access-control-allow-credentials': 'true',
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** S3 allows one `*` in an AllowedOrigin, matching any characters. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
