import { Stack, Validations } from 'aws-cdk-lib';
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
