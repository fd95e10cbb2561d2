import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** A synthesised CloudFormation template, as much of it as the local workflow reads. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** What the fake deployment resolves pseudo parameters to. */
export interface FakeDeployment {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
}

/**
 * Turns intrinsic functions into plain values, as if the template were deployed. Resources resolve to
 * deterministic fake ARNs that end in their logical id, so a task's `FunctionName` leads back to the
 * template resource (and from there to its handler module).
 */
export class TemplateResolver {
  readonly region: string;
  readonly account: string;

  constructor(
    private readonly template: CfnTemplate,
    deployment: FakeDeployment = {},
  ) {
    this.region = deployment.region ?? 'us-east-1';
    this.account = deployment.account ?? '000000000000';
  }

  /** The fake ARN of a resource (Fn::GetAtt [id, 'Arn']). */
  arnOf(logicalId: string): string {
    const type = this.resource(logicalId).Type;
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${this.region}:${this.account}:function:${logicalId}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${this.region}:${this.account}:stateMachine:${logicalId}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${this.region}:${this.account}:${logicalId}`;
      default: {
        const service = type.split('::')[1]?.toLowerCase() ?? 'local';
        return `arn:aws:${service}:${this.region}:${this.account}:${logicalId}`;
      }
    }
  }

  /** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select anywhere inside `value`. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [name, arg] = entries[0]!;
      switch (name) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt':
          return this.getAtt(arg);
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [index, list] = arg as [number | string, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        default:
          if (name.startsWith('Fn::')) throw new Error(`Unsupported intrinsic function ${name}`);
      }
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, this.resolve(inner)]));
  }

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`Template has no resource ${logicalId}`);
    return resource;
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'local';
      default:
        // Lambda functions, queues' names etc.: the logical id stands in for the physical name.
        this.resource(name);
        return name;
    }
  }

  private getAtt(arg: unknown): string {
    const [logicalId, attribute] = typeof arg === 'string' ? (arg.split('.') as [string, string]) : (arg as [string, string]);
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'Name' || attribute.endsWith('Name')) return logicalId;
    throw new Error(`Unsupported Fn::GetAtt ${logicalId}.${attribute}`);
  }

  private sub(arg: unknown): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name.includes('.')) return this.getAtt(name);
      return this.ref(name);
    });
  }
}

export interface TemplateStateMachine {
  readonly logicalId: string;
  readonly arn: string;
  /** The plain Amazon States Language definition, with fake ARNs in it. */
  readonly definition: StateMachineDefinition;
}

/**
 * The state machines of a synthesised template with their DefinitionString resolved into plain ASL. CDK
 * writes DefinitionString as an Fn::Join of JSON fragments and ARNs that only exist at deploy time.
 */
export function stateMachinesOf(template: CfnTemplate, deployment: FakeDeployment = {}): TemplateStateMachine[] {
  const resolver = new TemplateResolver(template, deployment);
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const definition =
        properties.DefinitionString !== undefined
          ? JSON.parse(String(resolver.resolve(properties.DefinitionString)))
          : resolver.resolve(properties.Definition);
      return { logicalId, arn: resolver.arnOf(logicalId), definition: definition as StateMachineDefinition };
    });
}
