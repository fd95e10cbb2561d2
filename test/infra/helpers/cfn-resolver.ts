import { createHash } from 'node:crypto';
import type { Template } from 'aws-cdk-lib/assertions';
import { type CfnResource, resources } from './template';

/** The account a synthesized deployment is resolved into: no AWS account is involved, only its ARN shapes. */
export const FAKE_ACCOUNT = { account: '111111111111', region: 'eu-west-1', partition: 'aws', urlSuffix: 'amazonaws.com' } as const;

type Json = unknown;

/**
 * Resolves CloudFormation intrinsics to the values a deployment into FAKE_ACCOUNT would have: every physical
 * name derives from the logical ID, ARNs have their service's real shape, and `Fn::ImportValue` reads the
 * exporting stack's outputs. So the env a function is deployed with and the ARNs its policies name come out
 * exactly as they would in AWS, and can be evaluated against each other.
 */
export class CfnResolver {
  private readonly resources: Record<string, CfnResource>;

  constructor(
    template: Template,
    private readonly imports: Readonly<Record<string, string>> = {},
  ) {
    this.resources = resources(template);
  }

  /** The exports a stack publishes, resolved, for the stacks that import them. */
  exports(template: Template): Record<string, string> {
    const outputs = (template.toJSON().Outputs ?? {}) as Record<string, { Value: Json; Export?: { Name: Json } }>;
    return Object.fromEntries(
      Object.values(outputs)
        .filter((o) => o.Export !== undefined)
        .map((o) => [this.string(o.Export!.Name), this.string(o.Value)]),
    );
  }

  string(node: Json): string {
    const value = this.resolve(node);
    if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
    return value;
  }

  resolve(node: Json): Json {
    if (Array.isArray(node)) return node.map((n) => this.resolve(n));
    if (node === null || typeof node !== 'object') return node;
    const o = node as Record<string, Json>;
    const [key] = Object.keys(o);
    if (Object.keys(o).length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, o[key]);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }

  private intrinsic(name: string, args: Json): Json {
    switch (name) {
      case 'Ref':
        return this.ref(args as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = (typeof args === 'string' ? args.split('.') : args) as [string, string];
        return this.attribute(id, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, parts] = args as [string, Json[]];
        return parts.map((p) => this.string(p)).join(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = args as [Json, Json];
        return (this.resolve(list) as Json[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [delimiter, source] = args as [string, Json];
        return this.string(source).split(delimiter);
      }
      case 'Fn::Sub': {
        const [template, variables = {}] = (typeof args === 'string' ? [args] : args) as [string, Record<string, Json>];
        return template.replace(/\$\{([^}]+)\}/g, (_, ref: string) =>
          ref in variables ? this.string(variables[ref]) : ref.includes('.') ? this.string({ 'Fn::GetAtt': ref }) : this.string({ Ref: ref }),
        );
      }
      case 'Fn::ImportValue': {
        const exportName = this.string(args);
        const value = this.imports[exportName];
        if (value === undefined) throw new Error(`no export named ${exportName}`);
        return value;
      }
      default:
        throw new Error(`cannot resolve ${name}`);
    }
  }

  private ref(id: string): string {
    const { account, region, partition, urlSuffix } = FAKE_ACCOUNT;
    const pseudo: Record<string, string> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::URLSuffix': urlSuffix,
    };
    if (id in pseudo) return pseudo[id]!;
    const resource = this.resource(id);
    switch (resource.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::IAM::Role':
      case 'AWS::Logs::LogGroup':
        return id;
      case 'AWS::S3::Bucket':
        return id.toLowerCase();
      case 'AWS::SecretsManager::Secret':
        return `arn:${partition}:secretsmanager:${region}:${account}:secret:${id}-AbCdEf`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${region}:${account}:stateMachine:${id}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.${urlSuffix}/${account}/${id}`;
      case 'AWS::ApiGatewayV2::Api':
      case 'AWS::ApiGateway::RestApi':
        return apiId(id);
      case 'AWS::ApiGatewayV2::Stage':
      case 'AWS::ApiGateway::Stage':
        return this.string(resource.Properties!.StageName);
      default:
        throw new Error(`no physical id for Ref ${id} (${resource.Type})`);
    }
  }

  private attribute(id: string, attribute: string): string {
    const { account, region, partition } = FAKE_ACCOUNT;
    const resource = this.resource(id);
    const name = this.ref(id);
    const arns: Record<string, () => string> = {
      'AWS::DynamoDB::GlobalTable': () => `arn:${partition}:dynamodb:${region}:${account}:table/${name}`,
      'AWS::DynamoDB::Table': () => `arn:${partition}:dynamodb:${region}:${account}:table/${name}`,
      'AWS::S3::Bucket': () => `arn:${partition}:s3:::${name}`,
      'AWS::Lambda::Function': () => `arn:${partition}:lambda:${region}:${account}:function:${name}`,
      'AWS::IAM::Role': () => `arn:${partition}:iam::${account}:role/${name}`,
      'AWS::Logs::LogGroup': () => `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`,
      'AWS::SQS::Queue': () => `arn:${partition}:sqs:${region}:${account}:${id}`,
    };
    if (attribute === 'Arn' && arns[resource.Type]) return arns[resource.Type]!();
    if (attribute === 'Name' && resource.Type === 'AWS::StepFunctions::StateMachine') return id;
    if (attribute === 'QueueName' && resource.Type === 'AWS::SQS::Queue') return id;
    if (attribute === 'RootResourceId' && resource.Type === 'AWS::ApiGateway::RestApi') return `${apiId(id)}root`;
    throw new Error(`cannot resolve ${id}.${attribute} (${resource.Type})`);
  }

  private resource(id: string): CfnResource {
    const resource = this.resources[id];
    if (resource === undefined) throw new Error(`no resource ${id}`);
    return resource;
  }
}

/** API Gateway ids are 10 lowercase characters. */
function apiId(logicalId: string): string {
  return createHash('sha256').update(logicalId).digest('hex').slice(0, 10);
}
