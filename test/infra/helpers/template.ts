import type { Template } from 'aws-cdk-lib/assertions';

/** Minimal CloudFormation shapes the infra tests read. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export function resources(template: Template): Record<string, CfnResource> {
  return template.toJSON().Resources as Record<string, CfnResource>;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(resources(template)).filter(([, r]) => r.Type === type);
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Renders an intrinsic into a readable string the way cdk-nag does: `{Ref: X}` → `<X>`,
 * `{Fn::GetAtt: [X, Arn]}` → `<X.Arn>`, imports → their export name, joins concatenated.
 */
export function render(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (node && typeof node === 'object') {
    const o = node as Record<string, any>;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
    if (o['Fn::ImportValue']) return render(o['Fn::ImportValue']);
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::Sub']) return render(o['Fn::Sub']);
  }
  return JSON.stringify(node);
}

/** `/jobs/{jobId}` for an `AWS::ApiGateway::Method`'s ResourceId, rebuilt from its Resource chain. */
export function methodPath(template: Template, resourceId: unknown): string {
  const all = resources(template);
  const parts: string[] = [];
  let ref = resourceId as { Ref?: string };
  while (ref.Ref !== undefined && all[ref.Ref]?.Type === 'AWS::ApiGateway::Resource') {
    const resource = all[ref.Ref]!;
    parts.unshift(resource.Properties!.PathPart as string);
    ref = resource.Properties!.ParentId;
  }
  return `/${parts.join('/')}`;
}

/** Logical ID of the Lambda function whose `vnt:entry` metadata is `entry`. */
export function functionIdByEntry(template: Template, entry: string): string {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['vnt:entry'] === entry);
  if (found.length !== 1) throw new Error(`expected one function for ${entry}, found ${found.length}`);
  return found[0]![0];
}

/** Every IAM statement attached (through AWS::IAM::Policy resources) to the function's execution role. */
export function statementsOf(template: Template, functionId: string): PolicyStatement[] {
  const fn = resources(template)[functionId]!;
  const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties!.Roles).some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as PolicyStatement[]);
}

/** action → rendered resources, over all Allow statements. */
export function permissions(statements: readonly PolicyStatement[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const s of statements.filter((st) => st.Effect === 'Allow')) {
    for (const action of asArray(s.Action)) {
      map.set(action, [...(map.get(action) ?? []), ...asArray(s.Resource).map(render)]);
    }
  }
  return map;
}

/** The state machine's ASL, with intrinsics in it rendered to strings, parsed. */
export function stateMachineDefinition(template: Template): { States: Record<string, any>; [k: string]: any } {
  const [[, machine]] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine') as [[string, CfnResource]];
  return JSON.parse(render(machine.Properties!.DefinitionString));
}

/**
 * Every resource CloudFormation must create before `logicalId`: its DependsOn and the resources its
 * properties reference (Ref, Fn::GetAtt, Fn::Sub), transitively.
 */
export function createdBefore(template: Template, logicalId: string): Set<string> {
  const all = resources(template) as Record<string, CfnResource & { DependsOn?: string | string[] }>;
  const direct = (id: string): string[] => {
    const found = new Set(asArray(all[id]!.DependsOn));
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.Ref === 'string') found.add(o.Ref);
        if (Array.isArray(o['Fn::GetAtt'])) found.add(String(o['Fn::GetAtt'][0]));
        if (typeof o['Fn::Sub'] === 'string') for (const [, ref] of o['Fn::Sub'].matchAll(/\$\{([^.}!]+)/g)) found.add(ref!);
        Object.values(o).forEach(visit);
      }
    };
    visit(all[id]!.Properties);
    return [...found].filter((ref) => ref in all);
  };
  const seen = new Set<string>();
  const queue = direct(logicalId);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...direct(id));
  }
  return seen;
}
