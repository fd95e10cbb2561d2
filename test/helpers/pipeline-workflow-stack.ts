import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { TABLE } from '../../lib/config/table-design';
import { PipelineWorkflow } from '../../lib/constructs/pipeline-workflow';
import type { ProgressChannel } from '../../lib/constructs/progress-channel';

/** Stage of the test stack (it scopes the Transcribe job names). */
export const PIPELINE_TEST_STAGE = 'test';

export interface PipelineTestStack {
  readonly stack: Stack;
  readonly workflow: PipelineWorkflow;
  /** The synthesised CloudFormation template. */
  readonly template: Record<string, unknown>;
}

/**
 * A minimal stack around PipelineWorkflow (table, two buckets, a layer reference, a progress channel), for
 * tests that need the synthesised template without the whole application. Bundling is skipped: the
 * template is what matters, and the local runner binds tasks to the TypeScript sources.
 */
export function synthPipelineTestStack(): PipelineTestStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PipelineTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = new TableV2(stack, 'Table', {
    partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
    sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
    billing: Billing.onDemand(),
    timeToLiveAttribute: TABLE.ttlAttribute,
  });
  const progress: ProgressChannel = {
    endpoint: 'https://example.execute-api.us-east-1.amazonaws.com/test',
    grantPublish(grantee: IGrantable) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['execute-api:ManageConnections'],
          resources: ['arn:aws:execute-api:us-east-1:123456789012:example/test/POST/@connections/*'],
        }),
      );
    },
  };
  const workflow = new PipelineWorkflow(stack, 'Pipeline', {
    table,
    uploadsBucket: new Bucket(stack, 'Uploads'),
    workBucket: new Bucket(stack, 'Work'),
    ffmpegLayer: LayerVersion.fromLayerVersionArn(stack, 'Ffmpeg', 'arn:aws:lambda:us-east-1:123456789012:layer:ffmpeg:1'),
    progress,
    stage: PIPELINE_TEST_STAGE,
  });
  const template = app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  return { stack, workflow, template };
}
