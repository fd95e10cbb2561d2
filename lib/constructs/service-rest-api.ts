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
import { GATEWAY_ERROR_RESPONSES, type GatewayErrorResponse } from '../config/gateway-responses';

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

  /** Gateway-generated errors in the same `{"error":{code,message}}` shape the handlers return (one table). */
  private addGatewayResponses(): void {
    for (const { id, type, status, code, message, retryAfterSeconds } of GATEWAY_ERROR_RESPONSES as readonly GatewayErrorResponse[]) {
      // No message of our own: pass API Gateway's (already JSON-quoted) message through.
      const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
      this.api.addGatewayResponse(id, {
        type: ResponseType.of(type),
        // Undefined for DEFAULT_4XX: it keeps the status of whatever 4xx it stands in for.
        statusCode: status === undefined ? undefined : String(status),
        // Static values only: gateway responses cannot compute a header (see GATEWAY_RETRY_AFTER_SECONDS).
        responseHeaders: retryAfterSeconds === undefined ? undefined : { 'Retry-After': `'${retryAfterSeconds}'` },
        templates: {
          'application/json': `{"error":{"code":"${code}","message":${messageJson}}}`,
        },
      });
    }
  }
}
