import { CfnResource, type IAspect, type RemovalPolicy } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface LogGroupPolicyProps {
  /** Applied to every log group. */
  readonly retention: RetentionDays;
  /** Applied to every log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One rule for every log group of a stack, CDK's own included (add it with `Aspects.of(stack)`):
 *
 * - each log group gets the stage's retention and removal policy, whoever declared it (CDK's own groups
 *   default to two years, or to no expiry at all);
 * - each Lambda function aws-cdk-lib writes as a raw `AWS::Lambda::Function` (the S3 bucket-notifications
 *   handler, custom-resource providers such as auto-delete-objects, LogRetention) gets a log group of its
 *   own through `LoggingConfig`. Those constructs expose no logging props, and Lambda would otherwise create
 *   `/aws/lambda/<name>` itself on first run, outside the stack and with no retention.
 *
 * L2 functions are covered by the `@aws-cdk/aws-lambda:useCdkManagedLogGroup` flag (cdk.json): CDK then
 * declares their default group, which this aspect gives retention and removal policy.
 */
export class LogGroupPolicy implements IAspect {
  constructor(private readonly props: LogGroupPolicyProps) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) {
      node.retentionInDays = this.props.retention;
      node.applyRemovalPolicy(this.props.removalPolicy);
    } else if (isRawLambdaFunction(node)) {
      this.giveLogGroup(node);
    }
  }

  private giveLogGroup(fn: CfnResource): void {
    const scope = fn.node.scope!;
    const id = `${fn.node.id}Logs`;
    if (scope.node.tryFindChild(id)) return;
    const logGroup = new LogGroup(scope, id, {
      retention: this.props.retention,
      removalPolicy: this.props.removalPolicy,
    });
    // The Ref makes the function (and so the custom resources that invoke it) wait for the group, and
    // deletes the group only after them, so no invocation ever recreates it implicitly.
    fn.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}

function isRawLambdaFunction(node: IConstruct): node is CfnResource {
  return CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::Lambda::Function' && !(node instanceof CfnFunction);
}
