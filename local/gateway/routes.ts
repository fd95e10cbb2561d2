import { ROUTES, type RouteDefinition } from '../../lib/config/routes';

export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** The API's routes from lib/config/routes.ts, matched like API Gateway resources (`{name}` = one segment). */
export class RouteTable {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly RouteDefinition[] = ROUTES) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  /**
   * The route for this method and path; `undefined` when no resource/method exists. Throws
   * {@link MalformedPathError} when a path parameter is not valid percent-encoding (`/jobs/%E0`).
   */
  match(method: string, pathname: string): RouteMatch | undefined {
    for (const { route, pattern, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = pattern.exec(pathname);
      if (!found) continue;
      const values = names.map((name, i) => [name, decodePathParameter(name, found[i + 1]!)] as const);
      return { route, pathParameters: values.length === 0 ? null : Object.fromEntries(values) };
    }
    return undefined;
  }

  /** Methods defined on the resource at `pathname` (for CORS preflight answers). */
  methodsFor(pathname: string): string[] {
    return this.compiled.filter(({ pattern }) => pattern.test(pathname)).map(({ route }) => route.method);
  }

  get entries(): readonly string[] {
    return [...new Set(this.compiled.map(({ route }) => `functions/api/${route.handler}.ts`))];
  }
}

export class MalformedPathError extends Error {
  constructor(readonly parameter: string) {
    super(`The path parameter ${parameter} is not valid percent-encoded UTF-8.`);
    this.name = 'MalformedPathError';
  }
}

function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new MalformedPathError(name);
  }
}
