import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lib/config/env-names';
import { GATEWAY_ERROR_RESPONSES, type GatewayErrorResponse } from '../../lib/config/gateway-responses';
import { METRICS } from '../../lib/config/metric-names';
import { ROUTES } from '../../lib/config/routes';
import {
  asArray,
  createdBefore,
  functionIdByEntry,
  methodPath,
  permissions,
  render,
  resources,
  resourcesOfType,
  statementsOf,
} from './helpers/template';
import { synthesize } from './helpers/synth';

let stateless: Template;

beforeAll(() => {
  ({ stateless } = synthesize());
});

const methods = () =>
  resourcesOfType(stateless, 'AWS::ApiGateway::Method').map(([, m]) => ({
    method: m.Properties!.HttpMethod as string,
    path: methodPath(stateless, m.Properties!.ResourceId),
    apiKeyRequired: m.Properties!.ApiKeyRequired as boolean,
    target: render(m.Properties!.Integration.Uri),
  }));

describe('REST API', () => {
  it('has exactly the routes of ROUTES, each on its own handler module', () => {
    const actual = methods().map(({ method, path }) => `${method} ${path}`);
    expect(actual.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const fnId = functionIdByEntry(stateless, `functions/api/${route.handler}.ts`);
      const method = methods().find((m) => m.method === route.method && m.path === route.path)!;
      expect(method.target).toContain(`<${fnId}.Arn>`);
    }
  });

  it('requires an API key on every route except health and the OpenAPI document', () => {
    const open = methods().filter((m) => !m.apiKeyRequired).map((m) => `${m.method} ${m.path}`);
    expect(open.sort()).toEqual(['GET /health', 'GET /openapi.json']);
    for (const route of ROUTES) {
      const method = methods().find((m) => m.method === route.method && m.path === route.path)!;
      expect(method.apiKeyRequired, `${route.method} ${route.path}`).toBe(route.apiKeyRequired);
    }
  });

  it('logs every request as JSON with the API key id, traces, and throttles the whole stage, on each REST API', () => {
    const stages = resourcesOfType(stateless, 'AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(2);
    for (const [id, stage] of stages) {
      const format = JSON.parse(stage.Properties!.AccessLogSetting.Format as string);
      expect(format, id).toMatchObject({ apiKeyId: '$context.identity.apiKeyId', status: '$context.status' });
      expect(stage.Properties, id).toMatchObject({
        StageName: 'dev',
        TracingEnabled: true,
        MethodSettings: [
          expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 100 }),
        ],
      });
    }
  });

  it('validates path parameters at the gateway', () => {
    const validators = resourcesOfType(stateless, 'AWS::ApiGateway::RequestValidator');
    expect(validators).toHaveLength(2);
    for (const [, validator] of validators) {
      expect(validator.Properties).toMatchObject({ ValidateRequestParameters: true, ValidateRequestBody: true });
    }
    for (const [, method] of resourcesOfType(stateless, 'AWS::ApiGateway::Method')) {
      const validator = resources(stateless)[method.Properties!.RequestValidatorId.Ref]!;
      expect(validator.Properties!.RestApiId).toEqual(method.Properties!.RestApiId);
    }
    const withParam = resourcesOfType(stateless, 'AWS::ApiGateway::Method').filter(([, m]) =>
      methodPath(stateless, m.Properties!.ResourceId).includes('{jobId}'),
    );
    expect(withParam).toHaveLength(2);
    for (const [, m] of withParam) {
      expect(m.Properties!.RequestParameters).toEqual({ 'method.request.path.jobId': true });
    }
  });

  it.each([
    ['INVALID_API_KEY', '403', 'API_KEY_INVALID'],
    ['QUOTA_EXCEEDED', '429', 'QUOTA_EXCEEDED'],
    ['THROTTLED', '429', 'THROTTLED'],
    ['DEFAULT_5XX', '500', 'INTERNAL_ERROR'],
  ])('answers %s in the API error shape', (type, status, code) => {
    const [[, response]] = resourcesOfType(stateless, 'AWS::ApiGateway::GatewayResponse').filter(
      ([, r]) => r.Properties!.ResponseType === type,
    );
    expect(response!.Properties!.StatusCode).toBe(status);
    const body = JSON.parse(response!.Properties!.ResponseTemplates['application/json'] as string);
    expect(body).toEqual({ error: { code, message: expect.stringMatching(/\w/) } });
  });

  it('has exactly the gateway responses of GATEWAY_ERROR_RESPONSES on each REST API, the table the OpenAPI document lists', () => {
    const responses = resourcesOfType(stateless, 'AWS::ApiGateway::GatewayResponse');
    const apis = [...new Set(responses.map(([, r]) => JSON.stringify(r.Properties!.RestApiId)))];
    expect(apis).toHaveLength(resourcesOfType(stateless, 'AWS::ApiGateway::RestApi').length);
    for (const api of apis) {
      expectTable(responses.filter(([, r]) => JSON.stringify(r.Properties!.RestApiId) === api));
    }
  });

  function expectTable(responses: ReturnType<typeof resourcesOfType>) {
    const deployed = responses.map(([, r]) => ({
      type: r.Properties!.ResponseType,
      status: r.Properties!.StatusCode,
      code: JSON.parse(r.Properties!.ResponseTemplates['application/json'].replace('$context.error.messageString', '""')).error.code,
      retryAfter: r.Properties!.ResponseParameters?.['gatewayresponse.header.Retry-After'],
    }));
    const table = (GATEWAY_ERROR_RESPONSES as readonly GatewayErrorResponse[]).map((row) => ({
      type: row.type,
      status: row.status === undefined ? undefined : String(row.status),
      code: row.code,
      retryAfter: row.retryAfterSeconds === undefined ? undefined : `'${row.retryAfterSeconds}'`,
    }));
    const byType = (a: { type: string }, b: { type: string }) => a.type.localeCompare(b.type);
    expect(deployed.sort(byType)).toEqual(table.sort(byType));
  }

  it('passes gateway messages through as JSON strings where it has no message of its own', () => {
    const [[, response]] = resourcesOfType(stateless, 'AWS::ApiGateway::GatewayResponse').filter(
      ([, r]) => r.Properties!.ResponseType === 'DEFAULT_4XX',
    );
    const template = response!.Properties!.ResponseTemplates['application/json'] as string;
    // What API Gateway substitutes: messageString is already a quoted JSON string.
    const rendered = template
      .replace('$context.error.messageString', JSON.stringify('Forbidden'))
      .replace('$context.error.responseType', 'ACCESS_DENIED');
    expect(JSON.parse(rendered)).toEqual({ error: { code: 'ACCESS_DENIED', message: 'Forbidden' } });
    expect(response!.Properties!.StatusCode).toBeUndefined();
  });
});

describe('progress WebSocket API', () => {
  const route = (key: string) =>
    resourcesOfType(stateless, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties!.RouteKey === key)![1];

  it('requires an API key on $connect, taken from ?apiKey= by the authorizer', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      ApiKeySelectionExpression: '$context.authorizer.usageIdentifierKey',
    });
    expect(route('$connect').Properties).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'CUSTOM' });
    const [[, authorizer]] = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.apiKey'],
    });
    expect(render(authorizer.Properties!.AuthorizerUri)).toContain(
      `<${functionIdByEntry(stateless, 'functions/progress/authorize.ts')}.Arn>`,
    );
  });

  it('routes $connect, $disconnect and subscribe to their handlers; subscribe answers the client', () => {
    const integrations = resources(stateless);
    for (const [key, entry] of [
      ['$connect', 'connect'],
      ['$disconnect', 'disconnect'],
      ['subscribe', 'subscribe'],
    ] as const) {
      const integrationId = render(route(key).Properties!.Target).replace(/^integrations\/<(.+)>$/, '$1');
      expect(render(integrations[integrationId]!.Properties!.IntegrationUri)).toContain(
        `<${functionIdByEntry(stateless, `functions/progress/${entry}.ts`)}.Arn>`,
      );
    }
    stateless.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', { RouteResponseKey: '$default' });
  });

  it('creates every API stage that logs after the account’s API Gateway CloudWatch role is set', () => {
    // In a fresh account CloudFormation fails a logging stage created first: "CloudWatch Logs role ARN must
    // be set in account settings to enable logging".
    const accounts = resourcesOfType(stateless, 'AWS::ApiGateway::Account');
    // One per account and region: two of them in one stack would overwrite each other's role.
    expect(accounts).toHaveLength(1);
    const [[accountId]] = accounts;
    const loggingStages = [
      ...resourcesOfType(stateless, 'AWS::ApiGatewayV2::Stage').filter(([, s]) => s.Properties!.AccessLogSettings),
      ...resourcesOfType(stateless, 'AWS::ApiGateway::Stage').filter(([, s]) => s.Properties!.AccessLogSetting),
    ];
    expect(loggingStages.map(([, s]) => s.Type).sort()).toEqual([
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGatewayV2::Stage',
    ]);
    for (const [stageId] of loggingStages) {
      expect(createdBefore(stateless, stageId), stageId).toContain(accountId);
    }
  });

  it('gives the publisher the https management endpoint of the stage', () => {
    const subscribe = resources(stateless)[functionIdByEntry(stateless, 'functions/progress/subscribe.ts')]!;
    expect(render(subscribe.Properties!.Environment.Variables[ENV.progressEndpoint])).toMatch(
      /^https:\/\/<ProgressApi\w+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/dev$/,
    );
  });
});

describe('service functions', () => {
  const ours = () => resourcesOfType(stateless, 'AWS::Lambda::Function').filter(([, f]) => f.Metadata?.['vnt:entry']);

  it('run every handler on Node.js 22 arm64 with tracing, JSON logs in an owned log group and Powertools env', () => {
    expect(ours().length).toBeGreaterThanOrEqual(ROUTES.length + 4);
    for (const [id, fn] of ours()) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^vnt-/),
            POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
            // Powertools adds it to every metric: stages may share an account.
            [ENV.stage]: 'dev',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      const logGroup = resources(stateless)[fn.Properties!.LoggingConfig.LogGroup.Ref]!;
      expect(logGroup.Properties!.RetentionInDays, id).toBe(14);
    }
  });

  it('binds every Lambda except CDK’s own providers to a handler module via vnt:entry', () => {
    const unbound = resourcesOfType(stateless, 'AWS::Lambda::Function')
      .filter(([, f]) => !f.Metadata?.['vnt:entry'])
      .map(([id]) => id);
    expect(unbound.every((id) => /CustomCDK|BucketNotificationsHandler|AutoDelete/.test(id))).toBe(true);
  });
});

describe('least privilege of the API and progress functions', () => {
  const perms = (entry: string) => permissions(statementsOf(stateless, functionIdByEntry(stateless, entry)));
  /** Each data grant as `action`, DynamoDB ones as `action PARTITION…` (their dynamodb:LeadingKeys condition). */
  const access = (entry: string) =>
    statementsOf(stateless, functionIdByEntry(stateless, entry))
      .flatMap((s) => {
        const partitions = (s.Condition as any)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
        return asArray(s.Action).map((a) => (partitions === undefined ? a : `${a} ${partitions.join(' ')}`));
      })
      .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))
      .sort();

  it.each([
    ['functions/api/health.ts', []],
    ['functions/api/get-openapi.ts', []],
    ['functions/api/get-job.ts', ['dynamodb:GetItem JOB#*']],
    ['functions/api/get-usage.ts', ['dynamodb:GetItem KEY#* USAGE#*']],
    ['functions/api/get-stats.ts', ['dynamodb:GetItem STATS']],
    ['functions/api/list-jobs.ts', ['dynamodb:Query OWNER#*', 'secretsmanager:GetSecretValue']],
    ['functions/api/create-upload.ts', ['dynamodb:GetItem KEY#* USAGE#*', 'dynamodb:PutItem JOB#*', 'dynamodb:UpdateItem USAGE#*', 's3:PutObject']],
    [
      'functions/api/delete-job.ts',
      ['dynamodb:BatchWriteItem AUDIO#* CALLBACK#* CONN#* JOB#* SUB#*', 'dynamodb:GetItem JOB#*', 'dynamodb:Query SUB#*', 's3:DeleteObject'],
    ],
    ['functions/progress/authorize.ts', []],
    // The progress functions touch connections and subscriptions, read keys and jobs, and write neither.
    ['functions/progress/connect.ts', ['dynamodb:GetItem KEY#*', 'dynamodb:PutItem CONN#*']],
    ['functions/progress/disconnect.ts', ['dynamodb:BatchWriteItem CONN#* SUB#*', 'dynamodb:Query CONN#*']],
    [
      'functions/progress/subscribe.ts',
      ['dynamodb:BatchWriteItem CONN#* SUB#*', 'dynamodb:GetItem CONN#* JOB#* KEY#*', 'execute-api:ManageConnections'],
    ],
  ])('%s may do exactly its job, on its own item types', (entry, expected) => {
    expect(access(entry)).toEqual([...expected].sort());
  });

  it('names the table for items and GSI1 for history, never index/*', () => {
    expect(perms('functions/api/get-job.ts').get('dynamodb:GetItem')).toEqual([
      'arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/VoiceNoteTranslator-dev-Stateful:TableName',
    ]);
    expect(perms('functions/api/list-jobs.ts').get('dynamodb:Query')).toEqual([
      'arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/VoiceNoteTranslator-dev-Stateful:TableName/index/gsi1',
    ]);
  });

  it('scopes object access to key prefixes of the right bucket', () => {
    expect(perms('functions/api/create-upload.ts').get('s3:PutObject')).toEqual([
      'VoiceNoteTranslator-dev-Stateful:UploadsBucketArn/uploads/*',
    ]);
    expect(perms('functions/api/delete-job.ts').get('s3:DeleteObject')!.sort()).toEqual([
      'VoiceNoteTranslator-dev-Stateful:UploadsBucketArn/uploads/*',
      'VoiceNoteTranslator-dev-Stateful:WorkBucketArn/normalized/*',
      'VoiceNoteTranslator-dev-Stateful:WorkBucketArn/transcripts/*',
    ]);
    expect(perms('functions/api/delete-job.ts').has('s3:ListBucket')).toBe(false);
    expect(perms('functions/api/list-jobs.ts').get('secretsmanager:GetSecretValue')).toEqual([
      'VoiceNoteTranslator-dev-Stateful:CursorSecretArn',
    ]);
  });

  it('sets each resource’s env variable next to its grant', () => {
    const env = (entry: string) =>
      Object.keys(resources(stateless)[functionIdByEntry(stateless, entry)]!.Properties!.Environment.Variables);
    expect(env('functions/api/create-upload.ts')).toEqual(expect.arrayContaining([ENV.tableName, ENV.uploadsBucket]));
    expect(env('functions/api/list-jobs.ts')).toEqual(expect.arrayContaining([ENV.tableName, ENV.cursorSecretArn]));
    expect(env('functions/api/health.ts')).not.toContain(ENV.tableName);
    expect(env('functions/api/health.ts')).toContain(ENV.serviceVersion);
  });
});

describe('IAM across the stack', () => {
  const statements = () =>
    resourcesOfType(stateless, 'AWS::IAM::Policy')
      .filter(([id]) => !/CustomCDK|BucketNotificationsHandler/.test(id))
      .flatMap(([id, p]) => (p.Properties!.PolicyDocument.Statement as any[]).map((s) => ({ id, ...s })));

  it('grants no wildcard actions', () => {
    const wild = statements().flatMap((s) => asArray<string>(s.Action).filter((a) => a.includes('*')).map((a) => `${s.id}: ${a}`));
    expect(wild).toEqual([]);
  });

  it('uses Resource "*" only for actions that have no resource-level permissions', () => {
    const allowed = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'translate:TranslateText',
      'transcribe:StartStreamTranscription',
      // No resource type; narrowed by its output-location condition keys (see pipeline-workflow.ts).
      'transcribe:StartTranscriptionJob',
      // Step Functions log delivery (CDK adds these for state machine logging; they take no resource).
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    const offending = statements()
      .filter((s) => asArray(s.Resource).includes('*'))
      .flatMap((s) => asArray<string>(s.Action).filter((a) => !allowed.has(a)).map((a) => `${s.id}: ${a}`));
    expect(offending).toEqual([]);
  });

  it('never grants DynamoDB Scan or whole-table admin', () => {
    const actions = statements().flatMap((s) => asArray<string>(s.Action));
    expect(actions.filter((a) => /^dynamodb:(Scan|DeleteTable|UpdateTable|\*)/.test(a))).toEqual([]);
  });
});
