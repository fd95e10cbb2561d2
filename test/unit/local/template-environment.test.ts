import { describe, expect, it } from 'vitest';
import type { FunctionBinding } from '../../../local/template/template-bindings';
import { type LocalResource, resolveFunctionEnvironments, TemplateEnvironmentError } from '../../../local/template/template-environment';
import type { CfnTemplate } from '../../../local/workflow';

const stateful = {
  Resources: { Table: { Type: 'AWS::DynamoDB::GlobalTable' }, Secret: { Type: 'AWS::SecretsManager::Secret' } },
  Outputs: {
    TableNameExport: { Value: { Ref: 'Table' }, Export: { Name: 'Stateful:TableName' } },
    SecretArnExport: { Value: { Ref: 'Secret' }, Export: { Name: 'Stateful:SecretArn' } },
  },
} as CfnTemplate;
const stateless = { Resources: { Api: { Type: 'AWS::ApiGatewayV2::Api' }, Machine: { Type: 'AWS::StepFunctions::StateMachine' } } } as CfnTemplate;

const resources = new Map<string, LocalResource>([
  ['Table', { ref: 'vnt-local', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/vnt-local' } }],
  ['Secret', { substitute: { variable: 'CURSOR_SECRET', value: 's3cret' } }],
  ['Api', { endpoint: 'http://127.0.0.1:3000/ws' }],
  ['Machine', { ref: 'arn:aws:states:us-east-1:000000000000:stateMachine:Machine' }],
]);

function fn(environment: Record<string, unknown>): FunctionBinding {
  return { logicalId: 'WorkerFunction', entry: 'functions/worker.ts', timeoutMs: 3000, environment };
}

function resolve(environment: Record<string, unknown>) {
  return resolveFunctionEnvironments([stateful, stateless], [fn(environment)], resources)[0]!.variables;
}

describe('a function’s template environment, resolved to the local stack', () => {
  it('keeps literals and resolves Ref, GetAtt, pseudo parameters and Fn::ImportValue of another stack’s export', () => {
    expect(
      resolve({
        STAGE: 'dev',
        TABLE_NAME: { 'Fn::ImportValue': 'Stateful:TableName' },
        TABLE_ARN: { 'Fn::GetAtt': ['Table', 'Arn'] },
        STATE_MACHINE_ARN: { Ref: 'Machine' },
        WHERE: { 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] },
      }),
    ).toEqual({
      STAGE: 'dev',
      TABLE_NAME: 'vnt-local',
      TABLE_ARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/vnt-local',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:Machine',
      WHERE: 'us-east-1-000000000000',
    });
  });

  it('gives a URL built around the WebSocket API’s id the local management endpoint', () => {
    const callbackUrl = { 'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/dev']] };

    expect(resolve({ PROGRESS_ENDPOINT: callbackUrl })).toEqual({ PROGRESS_ENDPOINT: 'http://127.0.0.1:3000/ws' });
  });

  it('gives a secret’s value under its local variable instead of the ARN', () => {
    expect(resolve({ CURSOR_SECRET_ARN: { 'Fn::ImportValue': 'Stateful:SecretArn' } })).toEqual({ CURSOR_SECRET: 's3cret' });
  });

  it('refuses a reference the local stack has no counterpart for, naming the function and the variable', () => {
    expect(() => resolve({ LOGS_BUCKET: { Ref: 'AccessLogsBucket' } })).toThrow(TemplateEnvironmentError);
    expect(() => resolve({ LOGS_BUCKET: { Ref: 'AccessLogsBucket' } })).toThrow(
      /functions\/worker\.ts \(WorkerFunction\): LOGS_BUCKET = .* does not stand in for AccessLogsBucket/,
    );
    expect(() => resolve({ X: { 'Fn::ImportValue': 'Elsewhere:Thing' } })).toThrow(/no stack exports "Elsewhere:Thing"/);
    expect(() => resolve({ X: { 'Fn::Sub': '${AWS::Region}' } })).toThrow(/unsupported intrinsic Fn::Sub/);
  });
});
