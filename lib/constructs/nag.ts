import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) acknowledgements that follow from a grant, recorded next to the grant so the reason
 * sits where the permission is made. IAM5 findings are per resource string, e.g.
 * `AwsSolutions-IAM5[Resource::<bucket ARN>/uploads/*]`; this renders the ARN the way cdk-nag does.
 */
export function acknowledgeWildcardResources(grantee: IGrantable, resources: readonly string[], reason: string): void {
  const principal: IConstruct = grantee.grantPrincipal as unknown as IConstruct;
  if (!Construct.isConstruct(principal)) {
    return;
  }
  const stack = Stack.of(principal);
  for (const resource of resources) {
    const rendered = flatten(stack.resolve(resource));
    if (rendered.includes('*')) {
      Validations.of(principal).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
    }
  }
}

/** Same rendering as cdk-nag's flattenCfnReference (intrinsics → `<Logical.Attr>`, imports → export name). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** Stack-level singletons aws-cdk-lib creates for its own custom resources. */
const CDK_PROVIDER_IDS = /^(Custom::CDKBucketDeployment|Custom::S3AutoDeleteObjects|BucketNotificationsHandler)/;

/**
 * Acknowledges the findings of aws-cdk-lib's custom-resource providers (bucket deployment, auto-delete
 * objects, bucket notifications): they run at deploy time only, use AWS-managed logging policies and
 * their own runtime, none of which this app controls. Call at the end of a stack's constructor.
 */
export function acknowledgeCdkProviders(stack: Stack): void {
  const reason =
    'aws-cdk-lib custom resource provider: runs only during deployment, not reachable by users; its role, policy and runtime are managed by aws-cdk-lib.';
  for (const child of stack.node.children) {
    if (!CDK_PROVIDER_IDS.test(child.node.id)) continue;
    Validations.of(child).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason },
      { id: 'AwsSolutions-L1', reason },
    );
    // The bucket deployment's role also gets wildcard S3 actions on the asset and destination buckets.
    for (const policy of child.node.findAll().filter((c): c is CfnPolicy => c instanceof CfnPolicy)) {
      const document = stack.resolve(policy.policyDocument) as { Statement?: { Action?: unknown; Resource?: unknown }[] };
      for (const statement of document.Statement ?? []) {
        for (const action of ([] as unknown[]).concat(statement.Action ?? [])) {
          if (typeof action === 'string' && action.includes('*')) {
            Validations.of(child).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
          }
        }
        for (const resource of ([] as unknown[]).concat(statement.Resource ?? [])) {
          const rendered = flatten(resource);
          if (rendered.includes('*')) {
            Validations.of(child).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
          }
        }
      }
    }
  }
}
