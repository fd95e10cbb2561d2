import { TemplateResolver } from '../../local/workflow/template-asl';

/**
 * Facts read off the synthesised CloudFormation templates, for the deploy guide, the fixed-cost report and the
 * capacity model: the numbers in README.md and docs/capacity.md come from here, not from hand counting. Pure
 * functions over template JSON (no CDK import), so they are unit-tested on small hand-made templates and
 * `npm run capacity` runs them on the real ones.
 */

export interface Template {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Description?: string; readonly Export?: unknown }>>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
}

export interface StackOutput {
  readonly id: string;
  readonly description?: string;
  /** Set when another stack imports it (the stateful stack's exports). */
  readonly exported: boolean;
}

export function stackOutputs(template: Template): StackOutput[] {
  return Object.entries(template.Outputs ?? {}).map(([id, o]) => ({
    id,
    ...(o.Description !== undefined && { description: o.Description }),
    exported: o.Export !== undefined,
  }));
}

/** Resources CloudFormation leaves behind when their stack is deleted, by type. */
export function retainedResources(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(template.Resources)) {
    if (r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate') counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  }
  return counts;
}

export function countOfType(template: Template, type: string): number {
  return Object.values(template.Resources).filter((r) => r.Type === type).length;
}

/**
 * Metrics the alarms read: CloudWatch bills an alarm per metric it evaluates (a metric-math alarm pays for every
 * metric in its expression, not for the expression).
 */
export function alarmMetricCount(template: Template): number {
  let count = 0;
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const queries = r.Properties?.Metrics as readonly { readonly MetricStat?: unknown }[] | undefined;
    count += queries === undefined ? 1 : queries.filter((q) => q.MetricStat !== undefined).length;
  }
  return count;
}

export interface FunctionFacts {
  readonly logicalId: string;
  /** `functions/<dir>/<name>.ts` for our functions; undefined for CDK's helper functions. */
  readonly entry?: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Powertools service name: our functions emit custom metrics under it. */
  readonly powertoolsService?: string;
}

export function lambdaFunctions(template: Template): FunctionFacts[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const p = r.Properties ?? {};
      const env = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const entry = r.Metadata?.['vnt:entry'];
      const service = env.POWERTOOLS_SERVICE_NAME;
      return {
        logicalId,
        ...(typeof entry === 'string' && { entry }),
        // CloudFormation's defaults when a property is absent.
        memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
        timeoutSeconds: typeof p.Timeout === 'number' ? p.Timeout : 3,
        ...(typeof service === 'string' && { powertoolsService: service }),
      };
    });
}

/** One way through the state machine from its start to a Succeed or Fail state, catches not taken. */
export interface StatePath {
  readonly states: readonly string[];
  /** Task states on the path with the logical id of the Lambda function each invokes. */
  readonly lambdaTasks: readonly { readonly state: string; readonly functionLogicalId: string }[];
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Resource?: string;
  readonly Parameters?: Readonly<Record<string, unknown>>;
}

interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** The (only) state machine's definition, with its intrinsics resolved as if deployed. */
export function stateMachineDefinition(template: Template): AslDefinition {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const resolved = new TemplateResolver(template).resolve(machines[0]!.Properties!.DefinitionString);
  return JSON.parse(String(resolved)) as AslDefinition;
}

/**
 * Every path through the definition without its Catch edges: the ways a note can succeed (and the explicit
 * Fail states). Step Functions bills a Standard workflow per state transition, one per state entered, so a
 * path's length is its transitions when no retry fires. The definition has no loops outside Retry/Catch.
 */
export function statePaths(definition: AslDefinition): StatePath[] {
  const arnSuffix = (value: unknown) => (typeof value === 'string' ? value.split(':').pop()! : undefined);
  const paths: StatePath[] = [];
  const walk = (name: string, trail: readonly string[]): void => {
    if (trail.includes(name)) throw new Error(`loop through ${name}: not a straight-line workflow`);
    const state = definition.States[name];
    if (state === undefined) throw new Error(`unknown state ${name}`);
    const here = [...trail, name];
    const next = state.Type === 'Choice' ? [...(state.Choices ?? []).map((c) => c.Next), ...(state.Default ? [state.Default] : [])] : state.Next ? [state.Next] : [];
    if (next.length === 0) {
      const lambdaTasks = here
        .map((s) => ({ state: s, def: definition.States[s]! }))
        .filter(({ def }) => def.Type === 'Task' && def.Resource?.includes(':lambda:invoke'))
        .map(({ state: s, def }) => ({ state: s, functionLogicalId: arnSuffix(def.Parameters?.FunctionName) ?? '' }));
      paths.push({ states: here, lambdaTasks });
      return;
    }
    for (const n of new Set(next)) walk(n, here);
  };
  walk(definition.StartAt, []);
  return paths;
}

/** A Lambda function EventBridge invokes on a fixed rate: it runs (and bills) with no traffic at all. */
export interface ScheduledRun {
  readonly ruleLogicalId: string;
  readonly functionLogicalId: string;
  readonly everySeconds: number;
}

const RATE_UNITS: Readonly<Record<string, number>> = { minute: 60, minutes: 60, hour: 3_600, hours: 3_600, day: 86_400, days: 86_400 };

export function scheduledRuns(template: Template): ScheduledRun[] {
  return Object.entries(template.Resources).flatMap(([ruleLogicalId, r]) => {
    const expression = r.Type === 'AWS::Events::Rule' ? r.Properties?.ScheduleExpression : undefined;
    if (typeof expression !== 'string') return [];
    const rate = /^rate\((\d+) (\w+)\)$/.exec(expression);
    if (rate === null || RATE_UNITS[rate[2]!] === undefined) throw new Error(`unsupported schedule ${expression}`);
    const targets = (r.Properties?.Targets ?? []) as readonly { readonly Arn?: { readonly 'Fn::GetAtt'?: readonly [string, string] } }[];
    return targets
      .map((t) => t.Arn?.['Fn::GetAtt']?.[0])
      .filter((id): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::Lambda::Function')
      .map((functionLogicalId) => ({ ruleLogicalId, functionLogicalId, everySeconds: Number(rate[1]) * RATE_UNITS[rate[2]!]! }));
  });
}
