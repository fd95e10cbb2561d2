import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  type CfnUsagePlan,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestValidator,
  ResponseType,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { ENV } from '../config/env-names';
import { STORAGE } from '../config/limits';
import { METRICS } from '../config/metric-names';
import { type RouteDefinition, ROUTES } from '../config/routes';
import type { ThrottleConfig } from '../config/stages';
import { TIER_NAMES, TIERS, type TierName } from '../config/tiers';
import { grantObjectDelete, grantObjectPut, grantTableRead, grantTableReadWrite } from './data-access';
import type { UsagePlanStage } from './progress-channel';
import { ServiceFunction } from './service-function';

export interface PublicApiProps {
  /** Stage name: the API Gateway stage and the `vnt-<stage>-<tier>` usage plan names. */
  readonly stage: string;
  readonly serviceVersion: string;
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  /** HMAC key for history cursors (list-jobs only). */
  readonly cursorSecret: ISecret;
  /** Stage-wide throttle above all usage plans. */
  readonly throttle: ThrottleConfig;
  readonly logRetention: RetentionDays;
  /** Further API stages whose keys follow the same tier plans (the progress WebSocket). @default - none */
  readonly additionalUsagePlanStages?: readonly UsagePlanStage[];
}

/** What a route's function may touch. Every route in ROUTES must have an entry (checked at synth). */
interface RouteData {
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  readonly cursorSecret: ISecret;
}
type RouteAccess = (fn: ServiceFunction, data: RouteData) => void;

const tableRead: RouteAccess = (fn, { table }) => {
  grantTableRead(table, fn);
  fn.addEnvironment(ENV.tableName, table.tableName);
};

/** Least privilege per handler: each grant sits next to the env variable that names the resource. */
const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  health: () => undefined,
  'get-openapi': () => undefined,
  'get-languages': () => undefined, // answers from the engines' static AWS sets
  // Reads the key's tier, writes the job and the daily usage meter, signs the presigned POST.
  'create-upload': (fn, { table, uploadsBucket }) => {
    grantTableReadWrite(table, fn);
    fn.addEnvironment(ENV.tableName, table.tableName);
    grantObjectPut(uploadsBucket, fn, STORAGE.uploadsPrefix);
    fn.addEnvironment(ENV.uploadsBucket, uploadsBucket.bucketName);
  },
  'get-job': tableRead,
  'list-jobs': (fn, data) => {
    tableRead(fn, data);
    data.cursorSecret.grantRead(fn);
    fn.addEnvironment(ENV.cursorSecretArn, data.cursorSecret.secretArn);
  },
  'get-usage': tableRead,
  'get-stats': tableRead,
  // Deletes the job record, its upload and its working files (by exact key: no listing needed).
  'delete-job': (fn, { table, uploadsBucket, workBucket }) => {
    grantTableReadWrite(table, fn);
    fn.addEnvironment(ENV.tableName, table.tableName);
    grantObjectDelete(uploadsBucket, fn, STORAGE.uploadsPrefix);
    fn.addEnvironment(ENV.uploadsBucket, uploadsBucket.bucketName);
    grantObjectDelete(workBucket, fn, STORAGE.normalizedPrefix);
    grantObjectDelete(workBucket, fn, STORAGE.transcriptsPrefix);
    fn.addEnvironment(ENV.workBucket, workBucket.bucketName);
  },
};

/**
 * The REST API, built from ROUTES: one ServiceFunction per route (`functions/api/<handler>.ts`), API keys on
 * every route that requires one, a usage plan per tier with TIERS' daily quota and throttle, JSON access logs
 * with the API key id, and gateway-generated errors in the API's own `{"error":{"code","message"}}` shape.
 */
export class PublicApi extends Construct {
  readonly api: RestApi;
  /**
   * The account-level API Gateway settings (its CloudWatch Logs role) this API sets. Any other API stage that
   * logs must depend on it: CloudFormation refuses a logging stage created before the role is set.
   */
  readonly cloudWatchAccount: IDependable;
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  readonly usagePlans: Readonly<Record<TierName, UsagePlan>>;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);

    // Removal policy: the stage's, applied to every log group by LogGroupPolicy.
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      // Stages may share an account: the name (the ApiName metric dimension) tells them apart.
      restApiName: `vnt-${props.stage}-api`,
      description: 'Voice Note Translator API',
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      // Execution logging needs the account-level CloudWatch role; CDK manages it (one per account/region).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttle.rateLimitPerSecond,
        throttlingBurstLimit: props.throttle.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Full request/response logging would write API keys and transcripts into CloudWatch.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            apiKeyId: AccessLogField.contextIdentityApiKeyId(),
            method: AccessLogField.contextHttpMethod(),
            path: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            latencyMs: AccessLogField.contextResponseLatency(),
            integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
            responseLength: AccessLogField.contextResponseLength(),
            errorType: AccessLogField.contextErrorResponseType(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
          }),
        ),
      },
    });

    // Body schemas are enforced by the handlers' zod parsers (one definition, exact error details); the
    // gateway still rejects requests that miss a required path or query parameter before any Lambda runs.
    const validator = new RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const data: RouteData = {
      table: props.table,
      uploadsBucket: props.uploadsBucket,
      workBucket: props.workBucket,
      cursorSecret: props.cursorSecret,
    };
    const functions: Record<string, ServiceFunction> = {};
    for (const route of ROUTES) {
      const access = ROUTE_ACCESS[route.handler];
      if (access === undefined) {
        throw new Error(`Route ${route.method} ${route.path} (${route.handler}) has no access declared in ROUTE_ACCESS`);
      }
      const fn = (functions[route.handler] ??= this.routeFunction(route, props));
      access(fn, data);
      const method = this.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // allowTestInvoke: false halves the Lambda permissions; console test calls are not needed.
        new LambdaIntegration(fn, { allowTestInvoke: false }),
        {
          apiKeyRequired: route.apiKeyRequired,
          requestValidator: validator,
          requestParameters: pathParameters(route.path),
        },
      );
      const why = route.apiKeyRequired
        ? 'Callers are API-key clients (apps, scripts), not signed-in users: the key, checked by API Gateway against the tier usage plans, is the identity (ownerId = apiKeyId).'
        : `${route.method} ${route.path} is public by design (health probe / API description) and carries no user data.`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
    }
    this.functions = functions;

    this.usagePlans = this.tierUsagePlans(props);
    this.addGatewayResponses();

    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF by default (fixed monthly cost): every data route needs an API key and per-key usage-plan throttles and quotas plus a stage-wide throttle bound abuse. Attach a web ACL per stage if needed.',
    });
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level role API Gateway needs for execution logs; AWS maintains this policy for exactly that.',
    });
    // RestApi creates it with cloudWatchRole: true but does not expose it.
    this.cloudWatchAccount = this.api.node.findChild('Account');
  }

  private routeFunction(route: RouteDefinition, props: PublicApiProps): ServiceFunction {
    return new ServiceFunction(this, `${pascalCase(route.handler)}Function`, {
      entry: `functions/api/${route.handler}.ts`,
      description: `${route.method} ${route.path}`,
      // API Gateway gives up at 29 s; a handler must answer well before that.
      timeout: Duration.seconds(10),
      powertoolsServiceName: METRICS.services.api,
      stage: props.stage,
      logRetention: props.logRetention,
      environment: { [ENV.serviceVersion]: props.serviceVersion },
    });
  }

  private tierUsagePlans(props: PublicApiProps): Record<TierName, UsagePlan> {
    const plans = {} as Record<TierName, UsagePlan>;
    for (const tier of TIER_NAMES) {
      const limits = TIERS[tier];
      const plan = this.api.addUsagePlan(`${pascalCase(tier)}UsagePlan`, {
        // The key provisioner (bin/keys.ts) finds plans by this name: the one physical name we set.
        name: `vnt-${props.stage}-${tier}`,
        description: `${tier} tier: ${limits.dailyQuota} requests/day`,
        quota: { limit: limits.dailyQuota, period: Period.DAY },
        throttle: { rateLimit: limits.rateLimitPerSecond, burstLimit: limits.burstLimit },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      const extra = props.additionalUsagePlanStages ?? [];
      if (extra.length > 0) {
        // The L2 only accepts REST stages; a WebSocket stage is listed the same way in CloudFormation.
        (plan.node.defaultChild as CfnUsagePlan).addPropertyOverride('ApiStages', [
          { ApiId: this.api.restApiId, Stage: this.api.deploymentStage.stageName },
          ...extra.map((s) => ({ ApiId: s.apiId, Stage: s.stageName })),
        ]);
      }
      plans[tier] = plan;
    }
    return plans;
  }

  /** Gateway-generated errors in the same `{"error":{code,message}}` shape the handlers return. */
  private addGatewayResponses(): void {
    const responses: ReadonlyArray<[string, ResponseType, number, string, string | undefined]> = [
      ['InvalidApiKey', ResponseType.INVALID_API_KEY, 403, 'API_KEY_INVALID', 'Missing or invalid API key (send it in the x-api-key header).'],
      ['Throttled', ResponseType.THROTTLED, 429, 'THROTTLED', 'Too many requests for this API key; slow down and retry.'],
      ['QuotaExceeded', ResponseType.QUOTA_EXCEEDED, 429, 'QUOTA_EXCEEDED', 'The daily request quota of this API key is used up; it resets at 00:00 UTC.'],
      ['NoRoute', ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'ROUTE_NOT_FOUND', 'No such route.'],
      ['TooLarge', ResponseType.REQUEST_TOO_LARGE, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.'],
      ['BadParameters', ResponseType.BAD_REQUEST_PARAMETERS, 400, 'VALIDATION_ERROR', undefined],
      ['BadBody', ResponseType.BAD_REQUEST_BODY, 400, 'VALIDATION_ERROR', undefined],
      ['Timeout', ResponseType.INTEGRATION_TIMEOUT, 504, 'TIMEOUT', 'The request took too long; please retry.'],
      // Any other gateway 4xx (ACCESS_DENIED, UNAUTHORIZED, ...): API Gateway's own type is already a stable code.
      ['Default4xx', ResponseType.DEFAULT_4XX, 400, '$context.error.responseType', undefined],
      ['Default5xx', ResponseType.DEFAULT_5XX, 500, 'INTERNAL_ERROR', 'Something went wrong on our side. Please try again later.'],
    ];
    for (const [id, type, status, code, message] of responses) {
      // No message of our own: pass API Gateway's (already JSON-quoted) message through.
      const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
      this.api.addGatewayResponse(id, {
        type,
        // DEFAULT_4XX keeps the status of whatever 4xx it stands in for.
        statusCode: type === ResponseType.DEFAULT_4XX ? undefined : String(status),
        responseHeaders:
          type === ResponseType.THROTTLED ? { 'Retry-After': "'1'" } : undefined,
        templates: {
          'application/json': `{"error":{"code":"${code}","message":${messageJson}}}`,
        },
      });
    }
  }
}

function pathParameters(path: string): Record<string, boolean> | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true]));
}

function pascalCase(kebab: string): string {
  return kebab.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
