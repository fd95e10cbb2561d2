import { App, Aspects, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Function as LambdaFunction, InlineCode, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogRetention, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageName } from '../../lib/config/stages';
import { LogGroupPolicy } from '../../lib/constructs/log-group-policy';
import { cdkJsonContext, fakeWebBuild, type Synthesized, synthesizeStages } from './helpers/synth';
import { render, resources, resourcesOfType } from './helpers/template';

/**
 * The log group a function writes to, if the template declares it: the one its LoggingConfig names, or else
 * Lambda's default `/aws/lambda/<function name>`.
 */
function logGroupOf(template: Template, functionId: string): string | undefined {
  const fn = resources(template)[functionId]!;
  const configured = fn.Properties?.LoggingConfig?.LogGroup as { Ref?: string } | undefined;
  if (configured?.Ref) return configured.Ref;
  const defaultName = `/aws/lambda/<${functionId}>`;
  return resourcesOfType(template, 'AWS::Logs::LogGroup').find(([, g]) => render(g.Properties?.LogGroupName) === defaultName)?.[0];
}

/** Every function logs to a declared group; every group has retention and the expected removal policy. */
function expectOwnedLogGroups(template: Template, retentionDays: number, removalPolicy: 'Delete' | 'Retain'): void {
  const groups = Object.fromEntries(resourcesOfType(template, 'AWS::Logs::LogGroup'));
  for (const [id] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const group = logGroupOf(template, id);
    expect(group && groups[group], `${id} logs to no log group of the stack`).toBeDefined();
  }
  expect(Object.keys(groups).length).toBeGreaterThan(0);
  for (const [id, group] of Object.entries(groups)) {
    expect(group.Properties?.RetentionInDays, id).toBe(retentionDays);
    expect([group.DeletionPolicy, group.UpdateReplacePolicy], id).toEqual([removalPolicy, removalPolicy]);
  }
}

describe('log groups of every stage', () => {
  let stages: Record<StageName, Synthesized>;
  let webBuild: ReturnType<typeof fakeWebBuild>;

  beforeAll(() => {
    webBuild = fakeWebBuild();
    // prod with a web build, so the bucket deployment's provider function is covered too.
    stages = synthesizeStages({ prod: { webAssetsPath: webBuild.dir } });
  });
  afterAll(() => webBuild.remove());

  // dev logs go with their stack; prod logs outlive a deleted or replaced stack (both stacks alike).
  it.each([
    ['dev', 14, 'Delete'],
    ['prod', 90, 'Retain'],
  ] as const)('%s: every function, CDK’s helpers included, logs to a group kept %i days, removal policy %s', (stage, days, removal) => {
    const { stateful, stateless } = stages[stage];
    for (const template of [stateful, stateless]) expectOwnedLogGroups(template, days, removal);
  });
});

describe('LogGroupPolicy on aws-cdk-lib’s own functions', () => {
  it('gives each one an owned log group with retention', () => {
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'CdkHelpers');
    const target = new LambdaFunction(stack, 'Target', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: new InlineCode('0') });
    // Bucket notifications handler and the auto-delete-objects provider (raw AWS::Lambda::Function resources).
    new Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true }).addEventNotification(
      EventType.OBJECT_CREATED,
      new LambdaDestination(target),
    );
    // LogRetention's provider (raw) and an AwsCustomResource singleton (an L2 function).
    new LogRetention(stack, 'Retention', { logGroupName: '/custom/group', retention: RetentionDays.ONE_DAY });
    new AwsCustomResource(stack, 'Call', {
      onCreate: { service: 'STS', action: 'GetCallerIdentity', physicalResourceId: PhysicalResourceId.of('id') },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      timeout: Duration.minutes(1),
    });
    Aspects.of(stack).add(new LogGroupPolicy({ retention: RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }));

    const template = Template.fromStack(stack);

    expect(resourcesOfType(template, 'AWS::Lambda::Function').length).toBe(5);
    expectOwnedLogGroups(template, 7, 'Delete');
  });
});
