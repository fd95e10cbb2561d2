import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnResolver } from './cfn-resolver';
import { asArray, resources, resourcesOfType } from './template';

/** An IAM policy as iam-simulate takes it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: { readonly Version?: string; readonly Statement: readonly ResolvedStatement[] };
}

export interface ResolvedStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** AWS-managed policies the stack attaches, as AWS defines them (only CDK's own providers use one). */
const AWS_MANAGED: Readonly<Record<string, NamedPolicy['policy']>> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * Every identity policy of a Lambda function's execution role, resolved: the role's inline policies, the
 * AWS::IAM::Policy resources attached to it, and its AWS-managed policies.
 */
export function rolePoliciesOf(template: Template, resolver: CfnResolver, functionId: string): { roleArn: string; policies: NamedPolicy[] } {
  const fn = resources(template)[functionId]!;
  const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = resources(template)[roleId]!;
  const inline = asArray(role.Properties!.Policies as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
    name: p.PolicyName,
    policy: resolver.resolve(p.PolicyDocument) as NamedPolicy['policy'],
  }));
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties!.Roles).some((r: any) => r.Ref === roleId))
    .map(([id, p]) => ({ name: id, policy: resolver.resolve(p.Properties!.PolicyDocument) as NamedPolicy['policy'] }));
  const managed = asArray(role.Properties!.ManagedPolicyArns).map((arn) => {
    const resolved = resolver.string(arn);
    const policy = AWS_MANAGED[resolved];
    if (policy === undefined) throw new Error(`${roleId} uses ${resolved}: add its document to AWS_MANAGED`);
    return { name: resolved, policy };
  });
  return { roleArn: resolver.string({ 'Fn::GetAtt': [roleId, 'Arn'] }), policies: [...inline, ...attached, ...managed] };
}
