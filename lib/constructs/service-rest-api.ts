import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  EndpointType,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { ThrottleConfig } from '../config/stages';
import { GATEWAY_RETRY_AFTER_SECONDS } from '../config/usage-plans';

export interface ServiceRestApiProps {
  /** Physical name: the ApiName metric dimension operators read. */
  readonly restApiName: string;
  readonly description: string;
  /** Deployment stage name. */
  readonly stageName: string;
  /** Stage-wide throttle above all usage plans. */
  readonly throttle: ThrottleConfig;
  readonly logRetention: RetentionDays;
  /**
   * The account-level API Gateway settings (its CloudWatch Logs role) another API of the stack already sets;
   * this API's logging stage is created after them. @default - this API sets them (one API per stack may)
   */
  readonly cloudWatchAccount?: IDependable;
}

/**
 * One of the service's REST APIs, with what every one of them has: API keys from the `x-api-key` header, JSON
 * access logs with the API key id, tracing, error-level execution logs, a stage throttle, a request validator,
 * and gateway-generated errors in the API's own `{"error":{"code","message"}}` shape (429s with Retry-After).
 * Routes and usage plans are added by the owner (PublicApi).
 */
export class ServiceRestApi extends Construct {
  readonly api: RestApi;
  /**
   * The account-level API Gateway settings (its CloudWatch Logs role). Any other API stage that logs must
   * depend on it: CloudFormation refuses a logging stage created before the role is set.
   */
  readonly cloudWatchAccount: IDependable;
  /**
   * Body schemas are enforced by the handlers' zod parsers (one definition, exact error details); the gateway
   * still rejects requests that miss a required path or query parameter before any Lambda runs.
   */
  readonly requestValidator: RequestValidator;

  constructor(scope: Construct, id: string, props: ServiceRestApiProps) {
    super(scope, id);

    const managesAccount = props.cloudWatchAccount === undefined;
    // Removal policy: the stage's, applied to every log group by LogGroupPolicy.
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description,
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      // Execution logging needs the account-level CloudWatch role; CDK manages it (one per account/region).
      cloudWatchRole: managesAccount,
      ...(managesAccount && { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }),
      deployOptions: {
        stageName: props.stageName,
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
    if (props.cloudWatchAccount === undefined) {
      Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-level role API Gateway needs for execution logs; AWS maintains this policy for exactly that.',
      });
      // RestApi creates it with cloudWatchRole: true but does not expose it.
      this.cloudWatchAccount = this.api.node.findChild('Account');
    } else {
      this.api.deploymentStage.node.addDependency(props.cloudWatchAccount);
      this.cloudWatchAccount = props.cloudWatchAccount;
    }

    this.requestValidator = new RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    this.addGatewayResponses();

    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF by default (fixed monthly cost): every data route needs an API key and per-key usage-plan throttles and quotas plus a stage-wide throttle bound abuse. Attach a web ACL per stage if needed.',
    });
  }

  /** Gateway-generated errors in the same `{"error":{code,message}}` shape the handlers return. */
  private addGatewayResponses(): void {
    const responses: ReadonlyArray<[string, ResponseType, number, string, string | undefined]> = [
      ['InvalidApiKey', ResponseType.INVALID_API_KEY, 403, 'API_KEY_INVALID', 'Missing or invalid API key (send it in the x-api-key header).'],
      ['Throttled', ResponseType.THROTTLED, 429, 'THROTTLED', 'Too many requests for this API key; slow down and retry.'],
      ['QuotaExceeded', ResponseType.QUOTA_EXCEEDED, 429, 'QUOTA_EXCEEDED', 'The daily upload quota of this API key is used up; it resets at 00:00 UTC.'],
      ['NoRoute', ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'ROUTE_NOT_FOUND', 'No such route.'],
      ['TooLarge', ResponseType.REQUEST_TOO_LARGE, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.'],
      ['BadParameters', ResponseType.BAD_REQUEST_PARAMETERS, 400, 'VALIDATION_ERROR', undefined],
      ['BadBody', ResponseType.BAD_REQUEST_BODY, 400, 'VALIDATION_ERROR', undefined],
      ['Timeout', ResponseType.INTEGRATION_TIMEOUT, 504, 'TIMEOUT', 'The request took too long; please retry.'],
      // Any other gateway 4xx (ACCESS_DENIED, UNAUTHORIZED, ...): API Gateway's own type is already a stable code.
      ['Default4xx', ResponseType.DEFAULT_4XX, 400, '$context.error.responseType', undefined],
      ['Default5xx', ResponseType.DEFAULT_5XX, 500, 'INTERNAL_ERROR', 'Something went wrong on our side. Please try again later.'],
    ];
    // Static values only: gateway responses cannot compute a header (see GATEWAY_RETRY_AFTER_SECONDS).
    const retryAfter = new Map<ResponseType, number>([
      [ResponseType.THROTTLED, GATEWAY_RETRY_AFTER_SECONDS.throttled],
      [ResponseType.QUOTA_EXCEEDED, GATEWAY_RETRY_AFTER_SECONDS.quotaExceeded],
    ]);
    for (const [id, type, status, code, message] of responses) {
      // No message of our own: pass API Gateway's (already JSON-quoted) message through.
      const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
      const seconds = retryAfter.get(type);
      this.api.addGatewayResponse(id, {
        type,
        // DEFAULT_4XX keeps the status of whatever 4xx it stands in for.
        statusCode: type === ResponseType.DEFAULT_4XX ? undefined : String(status),
        responseHeaders: seconds === undefined ? undefined : { 'Retry-After': `'${seconds}'` },
        templates: {
          'application/json': `{"error":{"code":"${code}","message":${messageJson}}}`,
        },
      });
    }
  }
}
