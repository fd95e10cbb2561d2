import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config/stages';
import { createDeployment, type Deployment } from '../../lib/stacks/deployment';
import { resourcesOfType } from './helpers/template';
import { cdkJsonContext } from './helpers/synth';

let prod: Deployment;

beforeAll(() => {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  prod = createDeployment(app, { stage: stageConfig('prod'), serviceVersion: '0.0.0-test' });
});

describe('prod stage', () => {
  it('turns on termination protection for both stacks and deletion protection for the table', () => {
    expect(prod.stateful.terminationProtection).toBe(true);
    expect(prod.stateless.terminationProtection).toBe(true);
    Template.fromStack(prod.stateful).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
  });

  it('keeps logs for three months and names usage plans after the stage', () => {
    const stateless = Template.fromStack(prod.stateless);
    for (const [id, group] of resourcesOfType(stateless, 'AWS::Logs::LogGroup')) {
      expect(group.Properties!.RetentionInDays, id).toBe(90);
    }
    const names = resourcesOfType(stateless, 'AWS::ApiGateway::UsagePlan').map(([, p]) => p.Properties!.UsagePlanName);
    expect(names.sort()).toEqual([
      'vnt-prod-basic-metered',
      'vnt-prod-basic-reads',
      'vnt-prod-free-metered',
      'vnt-prod-free-reads',
      'vnt-prod-premium-metered',
      'vnt-prod-premium-reads',
    ]);
  });

  it('deploys the stateless stack after the stateful one it imports from', () => {
    expect(prod.stateless.dependencies).toContain(prod.stateful);
  });
});
