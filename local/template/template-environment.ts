/**
 * Resolves each function's template environment (`Environment.Variables`) to what it is in the local stack:
 * references to the resources the local stack stands in for (table, buckets, queues, state machine, WebSocket
 * API, secret) become their local names, ARNs and URLs. A value it cannot resolve stops the start, so a new
 * variable in the CDK code cannot reach the handlers as an unresolved token or a silent gap.
 */
import { LOCAL } from '../config';
import type { CfnTemplate } from '../workflow';
import type { FunctionBinding } from './template-bindings';

/** What a template resource is in the local stack. */
export interface LocalResource {
  /** What `Ref` gives: a table or bucket name, a state machine ARN, a queue URL. */
  readonly ref?: string;
  /** What `Fn::GetAtt` gives, by attribute (`Arn`, …). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** An API's endpoint: what a URL joined around the API's id (`https://{api}.execute-api…/{stage}`) is locally. */
  readonly endpoint?: string;
  /**
   * Set instead of the variable that holds this resource's reference, for what the local stack does not
   * emulate (a secret's value given directly, for lack of Secrets Manager).
   */
  readonly substitute?: { readonly variable: string; readonly value: string };
}

/** A function and its environment as the local stack runs it. */
export interface FunctionEnvironment {
  readonly function: Pick<FunctionBinding, 'logicalId' | 'entry'>;
  readonly variables: Readonly<Record<string, string>>;
}

/** A template environment the local stack cannot run as declared. */
export class TemplateEnvironmentError extends Error {
  override readonly name = 'TemplateEnvironmentError';
}

/** The CloudFormation pseudo parameters, as the local stack's account and region give them. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': LOCAL.region,
  'AWS::AccountId': LOCAL.account,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

type Resolved = { readonly value: string } | { readonly substitute: NonNullable<LocalResource['substitute']> };

/** Every function's variables, resolved with `resources` (by logical id); throws on the first it cannot resolve. */
export function resolveFunctionEnvironments(
  templates: readonly CfnTemplate[],
  functions: readonly FunctionBinding[],
  resources: ReadonlyMap<string, LocalResource>,
): FunctionEnvironment[] {
  const exports = exportedValues(templates);
  return functions.map((fn) => {
    const variables: Record<string, string> = {};
    for (const [name, raw] of Object.entries(fn.environment)) {
      let resolved: Resolved;
      try {
        resolved = resolveValue(raw, exports, resources);
      } catch (error) {
        throw new TemplateEnvironmentError(
          `${fn.entry} (${fn.logicalId}): ${name} = ${JSON.stringify(raw)} has no local value: ${(error as Error).message}`,
        );
      }
      if ('value' in resolved) variables[name] = resolved.value;
      else variables[resolved.substitute.variable] = resolved.substitute.value;
    }
    return { function: { logicalId: fn.logicalId, entry: fn.entry }, variables };
  });
}

/** `Export.Name` → the output's value, across the templates (what `Fn::ImportValue` reads). */
function exportedValues(templates: readonly CfnTemplate[]): Map<string, unknown> {
  const exports = new Map<string, unknown>();
  for (const template of templates) {
    const outputs = (template as { Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }> }).Outputs ?? {};
    for (const output of Object.values(outputs)) {
      if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, output.Value);
    }
  }
  return exports;
}

function resolveValue(raw: unknown, exports: ReadonlyMap<string, unknown>, resources: ReadonlyMap<string, LocalResource>): Resolved {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
  if (typeof raw !== 'object' || raw === null) throw new Error('not a value');
  const node = raw as Record<string, unknown>;
  const resource = (id: string) => {
    const found = resources.get(id);
    if (found === undefined) throw new Error(`the local stack does not stand in for ${id}`);
    return found;
  };
  const plain = (value: string | undefined, what: string): Resolved => {
    if (value === undefined) throw new Error(`${what} has no local value`);
    return { value };
  };

  if (typeof node.Ref === 'string') {
    if (node.Ref in PSEUDO_PARAMETERS) return { value: PSEUDO_PARAMETERS[node.Ref]! };
    const found = resource(node.Ref);
    return found.substitute ? { substitute: found.substitute } : plain(found.ref, `Ref ${node.Ref}`);
  }
  const getAtt = node['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const [id, attribute] = typeof getAtt === 'string' ? getAtt.split('.') : (getAtt as string[]);
    const found = resource(String(id));
    return found.substitute ? { substitute: found.substitute } : plain(found.attributes?.[String(attribute)], `${id}.${attribute}`);
  }
  const imported = node['Fn::ImportValue'];
  if (imported !== undefined) {
    if (typeof imported !== 'string' || !exports.has(imported)) throw new Error(`no stack exports ${JSON.stringify(imported)}`);
    return resolveValue(exports.get(imported), exports, resources);
  }
  const join = node['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    // A URL built around an API's id is that API's endpoint (locally a different host, scheme and path).
    const api = parts.flatMap((part) => {
      const id = typeof part === 'object' && part !== null ? (part as { Ref?: unknown }).Ref : undefined;
      const found = typeof id === 'string' ? resources.get(id) : undefined;
      return found?.endpoint === undefined ? [] : [found.endpoint];
    });
    if (api.length > 0) return { value: api[0]! };
    return {
      value: parts
        .map((part) => {
          const resolved = resolveValue(part, exports, resources);
          if (!('value' in resolved)) throw new Error('a secret cannot be part of a joined value');
          return resolved.value;
        })
        .join(separator),
    };
  }
  throw new Error(`unsupported intrinsic ${Object.keys(node).join(', ')}`);
}
