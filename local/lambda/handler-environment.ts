import { LOCAL } from '../config';
import type { LocalCredentials } from '../local-credentials';
import { type FunctionEnvironment, TemplateEnvironmentError } from '../template/template-environment';

export interface LocalRuntimeInput {
  readonly s3Endpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly sfnEndpoint: string;
  /** The local principal: the presigner signs upload policies with it, and the local S3 accepts nothing else. */
  readonly credentials: LocalCredentials;
  /** Handler log level (Powertools). @default WARN */
  readonly logLevel?: string;
}

/**
 * What Lambda's runtime gives every function, as the local stack gives it: the region, the emulators'
 * credentials and the SDK's AWS_ENDPOINT_URL_<SERVICE> variables pointing at the emulators; Powertools writes
 * no EMF lines and no X-Ray segments. No template may set these to anything else.
 */
export function localRuntimeEnvironment(input: LocalRuntimeInput): Record<string, string> {
  return {
    AWS_REGION: LOCAL.region,
    AWS_DEFAULT_REGION: LOCAL.region,
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: input.s3Endpoint,
    AWS_ENDPOINT_URL_SQS: input.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SFN: input.sfnEndpoint,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_TRACE_DISABLED: 'true',
  };
}

/**
 * The only template variables the local stack does not apply as the templates resolve them, and why: each
 * belongs to the process rather than to a function, and every handler shares the one local process.
 */
export const PROCESS_WIDE_VARIABLES: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'one process holds one set of Powertools singletons for every function (vnt-local)',
  POWERTOOLS_LOG_LEVEL: 'quiet by default (WARN, ERROR in tests); set POWERTOOLS_LOG_LEVEL to see handler logs',
  NODE_OPTIONS: 'Node flags apply to a process: the handlers run in the local stack’s own',
};

/** The local values of the process-wide variables (NODE_OPTIONS keeps the process's own). */
export function processWideEnvironment(logLevel = 'WARN'): Record<string, string> {
  return { POWERTOOLS_SERVICE_NAME: 'vnt-local', POWERTOOLS_LOG_LEVEL: logLevel };
}

/** How the handlers' environment is laid out in the one local process. */
export interface HandlerEnvironments {
  /** What every handler sees once all are loaded: the templates' variables (checked to agree) and the local ones. */
  readonly shared: Readonly<Record<string, string>>;
  /** Each handler module's own template variables: all its module sees of the templates while it loads. */
  readonly byEntry: ReadonlyMap<string, FunctionEnvironment>;
  /** Every variable some template sets (taken away while a module whose template does not set it loads). */
  readonly templateVariables: ReadonlySet<string>;
}

/**
 * Lays out the handlers' environment, refusing what one shared process environment cannot honour: two
 * functions whose templates give a variable different values, a local variable that overrides a template's
 * value, or two functions of one module with different environments.
 */
export function handlerEnvironments(
  functions: readonly FunctionEnvironment[],
  local: { readonly runtime: Readonly<Record<string, string>>; readonly processWide: Readonly<Record<string, string>> },
): HandlerEnvironments {
  const problems: string[] = [];
  const byEntry = new Map<string, FunctionEnvironment>();
  const valuesByName = new Map<string, Map<string, string[]>>();
  for (const fn of functions) {
    const variables = Object.fromEntries(Object.entries(fn.variables).filter(([name]) => !(name in PROCESS_WIDE_VARIABLES)));
    const previous = byEntry.get(fn.function.entry);
    if (previous !== undefined && JSON.stringify(sorted(previous.variables)) !== JSON.stringify(sorted(variables))) {
      problems.push(`${previous.function.logicalId} and ${fn.function.logicalId} both run ${fn.function.entry} with different environments`);
    }
    byEntry.set(fn.function.entry, { function: fn.function, variables });
    for (const [name, value] of Object.entries(variables)) {
      const holders = valuesByName.get(name) ?? new Map<string, string[]>();
      holders.set(value, [...(holders.get(value) ?? []), fn.function.logicalId]);
      valuesByName.set(name, holders);
    }
  }
  for (const [name, holders] of valuesByName) {
    if (holders.size > 1) {
      const who = [...holders].map(([value, ids]) => `${ids.join(', ')} ${JSON.stringify(value)}`).join('; ');
      problems.push(`the templates give ${name} different values (${who}), and all handlers share one process environment`);
    }
    const localValue = local.runtime[name];
    if (localValue !== undefined && !holders.has(localValue)) {
      const [[value, ids]] = [...holders];
      problems.push(`${ids!.join(', ')} set ${name} to ${JSON.stringify(value)}, but the local stack sets it to ${JSON.stringify(localValue)}`);
    }
  }
  if (problems.length > 0) {
    throw new TemplateEnvironmentError(`The local stack cannot run the functions as their templates declare:\n- ${problems.join('\n- ')}`);
  }
  const templateValues = Object.fromEntries([...valuesByName].map(([name, holders]) => [name, [...holders.keys()][0]!]));
  return {
    shared: { ...templateValues, ...local.runtime, ...local.processWide },
    byEntry,
    templateVariables: new Set(valuesByName.keys()),
  };
}

function sorted(variables: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(variables).sort(([a], [b]) => a.localeCompare(b));
}
