import { ENV } from '../../lib/config/env-names';
import { LOCAL } from '../config';
import type { SynthesizedApp } from '../template/synthesize';
import type { LocalResource } from '../template/template-environment';
import type { CfnTemplate } from '../workflow';

export interface LocalResourceValues {
  readonly stateMachineArn: string;
  /** The WebSocket API's management endpoint. */
  readonly progressEndpoint: string;
  /** Queue URL by the queue's logical id. */
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly cursorSecret: string;
}

/**
 * The template resources the local stack stands in for, by logical id: what a function's environment may
 * reference. Anything else (the access-logs bucket, CloudFront, alarms) has no local counterpart, so a
 * function whose environment names it cannot start locally.
 */
export function localResources(
  templates: readonly CfnTemplate[],
  logicalIds: SynthesizedApp['logicalIds'],
  values: LocalResourceValues,
): Map<string, LocalResource> {
  const resources = new Map<string, LocalResource>();
  const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL.region}:${LOCAL.account}:${resource}`;
  resources.set(logicalIds.table, { ref: LOCAL.tableName, attributes: { Arn: arn('dynamodb', `table/${LOCAL.tableName}`) } });
  for (const [logicalId, name] of [
    [logicalIds.uploadsBucket, LOCAL.uploadsBucket],
    [logicalIds.workBucket, LOCAL.workBucket],
  ] as const) {
    resources.set(logicalId, { ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } });
  }
  // Secrets Manager is not emulated: the function gets the value under ENV.cursorSecret, which it reads first.
  resources.set(logicalIds.cursorSecret, { substitute: { variable: ENV.cursorSecret, value: values.cursorSecret } });

  for (const template of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      switch (resource.Type) {
        case 'AWS::StepFunctions::StateMachine':
          resources.set(logicalId, { ref: values.stateMachineArn, attributes: { Arn: values.stateMachineArn, Name: logicalId } });
          break;
        case 'AWS::ApiGatewayV2::Api':
          if (resource.Properties?.ProtocolType === 'WEBSOCKET') resources.set(logicalId, { endpoint: values.progressEndpoint });
          break;
        case 'AWS::SQS::Queue': {
          const url = values.queueUrls[logicalId];
          if (url !== undefined) {
            resources.set(logicalId, { ref: url, attributes: { Arn: arn('sqs', logicalId), QueueName: logicalId, QueueUrl: url } });
          }
          break;
        }
      }
    }
  }
  return resources;
}
