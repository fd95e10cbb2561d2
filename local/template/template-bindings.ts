/**
 * Reads the wiring the local stack needs out of synthesised CloudFormation templates, so the local stack runs
 * what the CDK app declares (which function consumes the intake queue, which rule feeds which function, the
 * queue settings, the WebSocket routes, the API's gateway responses) instead of a second, drifting copy.
 */
import { ENTRY_METADATA_KEY } from '../../lib/constructs/service-function';
import type { GatewayResponseCustomisation } from '../gateway/gateway-responses';
import type { CfnTemplate } from '../workflow';

export type { CfnTemplate } from '../workflow';

/** A Lambda function of the template with the source module it was built from. */
export interface FunctionBinding {
  readonly logicalId: string;
  readonly entry: string;
  readonly timeoutMs: number;
  readonly environment: Readonly<Record<string, unknown>>;
}

export interface QueueBinding {
  readonly logicalId: string;
  readonly visibilityTimeoutSeconds: number;
  readonly redrive?: { readonly deadLetterQueueLogicalId: string; readonly maxReceiveCount: number };
}

/** A Lambda event source mapping on a queue. */
export interface QueueConsumerBinding {
  readonly function: FunctionBinding;
  readonly queueLogicalId: string;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
}

export type EventTarget =
  | { readonly kind: 'function'; readonly function: FunctionBinding }
  | { readonly kind: 'queue'; readonly queueLogicalId: string };

export interface EventRuleBinding {
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly targets: readonly EventTarget[];
}

/** A rule that fires on a schedule (`ScheduleExpression`) rather than on events. */
export interface ScheduledRuleBinding {
  readonly logicalId: string;
  /** e.g. `rate(5 minutes)`. */
  readonly scheduleExpression: string;
  readonly targets: readonly EventTarget[];
}

/** A bucket notification configuration's queue destination with its key filter. */
export interface QueueNotificationBinding {
  readonly events: readonly string[];
  readonly queueLogicalId: string;
  readonly prefix?: string;
  readonly suffix?: string;
}

/** Where a bucket's object events go (`Custom::S3BucketNotifications`). */
export interface BucketNotificationBinding {
  readonly bucketLogicalId: string;
  /** Every event also goes to the default EventBridge bus. */
  readonly eventBridge: boolean;
  readonly queues: readonly QueueNotificationBinding[];
}

export interface WebSocketAuthorizerBinding {
  readonly function: FunctionBinding;
  /** e.g. `route.request.querystring.apiKey`. */
  readonly identitySource: readonly string[];
}

export interface WebSocketRouteBinding {
  readonly routeKey: string;
  readonly function: FunctionBinding;
  readonly apiKeyRequired: boolean;
  readonly returnResponse: boolean;
  readonly authorizer?: WebSocketAuthorizerBinding;
  /** The API's key source: `$request.header.x-api-key` (default) or `$context.authorizer.usageIdentifierKey`. */
  readonly apiKeySelectionExpression: string;
}

/** A bucket's CORS rule (`AWS::S3::Bucket` CorsConfiguration.CorsRules). */
export interface CorsRule {
  readonly AllowedOrigins: readonly string[];
  readonly AllowedMethods: readonly string[];
  readonly AllowedHeaders?: readonly string[];
  readonly ExposedHeaders?: readonly string[];
  readonly MaxAge?: number;
}

/** The CORS rules of bucket `logicalId` in any of the templates (none when it has no CORS configuration). */
export function bucketCorsRules(templates: readonly CfnTemplate[], logicalId: string): readonly CorsRule[] {
  for (const template of templates) {
    const bucket = template.Resources[logicalId];
    if (bucket?.Type !== 'AWS::S3::Bucket') continue;
    const cors = bucket.Properties?.CorsConfiguration as { CorsRules?: CorsRule[] } | undefined;
    return cors?.CorsRules ?? [];
  }
  throw new Error(`No bucket ${logicalId} in the synthesised templates`);
}

/** CORS preflight as the REST API's OPTIONS methods (CDK `defaultCorsPreflightOptions`) answer it. */
export interface CorsPreflightBinding {
  /** Response headers of the MOCK integration, e.g. `Access-Control-Allow-Headers` → `Content-Type,X-Api-Key`. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface TemplateBindings {
  readonly functions: readonly FunctionBinding[];
  readonly queues: readonly QueueBinding[];
  readonly queueConsumers: readonly QueueConsumerBinding[];
  readonly eventRules: readonly EventRuleBinding[];
  readonly scheduledRules: readonly ScheduledRuleBinding[];
  readonly bucketNotifications: readonly BucketNotificationBinding[];
  readonly webSocketRoutes: readonly WebSocketRouteBinding[];
  readonly gatewayResponses: readonly GatewayResponseCustomisation[];
  /** Undefined when the REST API has no OPTIONS methods: then preflights fail, as they do in AWS. */
  readonly corsPreflight?: CorsPreflightBinding;
  readonly stateMachineCount: number;
}

/** Lambda's default when a template leaves Timeout out. */
const DEFAULT_TIMEOUT_SECONDS = 3;

export function bindTemplates(templates: readonly CfnTemplate[]): TemplateBindings {
  const bindings = templates.map(bindTemplate);
  return {
    functions: bindings.flatMap((b) => b.functions),
    queues: bindings.flatMap((b) => b.queues),
    queueConsumers: bindings.flatMap((b) => b.queueConsumers),
    eventRules: bindings.flatMap((b) => b.eventRules),
    scheduledRules: bindings.flatMap((b) => b.scheduledRules),
    bucketNotifications: bindings.flatMap((b) => b.bucketNotifications),
    webSocketRoutes: bindings.flatMap((b) => b.webSocketRoutes),
    gatewayResponses: bindings.flatMap((b) => b.gatewayResponses),
    corsPreflight: bindings.find((b) => b.corsPreflight !== undefined)?.corsPreflight,
    stateMachineCount: bindings.reduce((sum, b) => sum + b.stateMachineCount, 0),
  };
}

function bindTemplate(template: CfnTemplate): TemplateBindings {
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  const functions = new Map<string, FunctionBinding>();
  for (const [logicalId, resource] of ofType('AWS::Lambda::Function')) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (typeof entry !== 'string') continue;
    const props = resource.Properties ?? {};
    functions.set(logicalId, {
      logicalId,
      entry,
      timeoutMs: Number(props.Timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      environment: ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}),
    });
  }
  const functionAt = (value: unknown) => {
    const id = referencedLogicalId(value);
    return id === undefined ? undefined : functions.get(id);
  };

  const queues: QueueBinding[] = ofType('AWS::SQS::Queue').map(([logicalId, queue]) => {
    const props = queue.Properties ?? {};
    const redrive = props.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
    const deadLetterQueueLogicalId = referencedLogicalId(redrive?.deadLetterTargetArn);
    return {
      logicalId,
      visibilityTimeoutSeconds: Number(props.VisibilityTimeout ?? 30),
      ...(deadLetterQueueLogicalId !== undefined && {
        redrive: { deadLetterQueueLogicalId, maxReceiveCount: Number(redrive?.maxReceiveCount ?? 3) },
      }),
    };
  });
  const isQueue = (id: string | undefined): id is string => id !== undefined && resources[id]?.Type === 'AWS::SQS::Queue';

  const queueConsumers: QueueConsumerBinding[] = [];
  for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
    const props = mapping.Properties ?? {};
    const fn = functionAt(props.FunctionName);
    const queueLogicalId = referencedLogicalId(props.EventSourceArn);
    if (fn === undefined || !isQueue(queueLogicalId)) continue;
    queueConsumers.push({
      function: fn,
      queueLogicalId,
      batchSize: Number(props.BatchSize ?? 10),
      reportBatchItemFailures: ((props.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        'ReportBatchItemFailures',
      ),
    });
  }

  const eventRules: EventRuleBinding[] = [];
  const scheduledRules: ScheduledRuleBinding[] = [];
  for (const [logicalId, rule] of ofType('AWS::Events::Rule')) {
    const props = rule.Properties ?? {};
    if (props.State === 'DISABLED') continue;
    const targets: EventTarget[] = [];
    for (const target of (props.Targets as { Arn?: unknown }[] | undefined) ?? []) {
      const fn = functionAt(target.Arn);
      const queueLogicalId = referencedLogicalId(target.Arn);
      if (fn !== undefined) targets.push({ kind: 'function', function: fn });
      else if (isQueue(queueLogicalId)) targets.push({ kind: 'queue', queueLogicalId });
    }
    if (targets.length === 0) continue;
    if (props.EventPattern !== undefined) eventRules.push({ eventPattern: props.EventPattern as Record<string, unknown>, targets });
    if (typeof props.ScheduleExpression === 'string') scheduledRules.push({ logicalId, scheduleExpression: props.ScheduleExpression, targets });
  }

  const bucketNotifications: BucketNotificationBinding[] = [];
  for (const [, notifications] of ofType('Custom::S3BucketNotifications')) {
    const bucketLogicalId = referencedLogicalId(notifications.Properties?.BucketName);
    if (bucketLogicalId === undefined) continue;
    const config = (notifications.Properties?.NotificationConfiguration ?? {}) as {
      EventBridgeConfiguration?: unknown;
      QueueConfigurations?: {
        Events?: string[];
        QueueArn?: unknown;
        Filter?: { Key?: { FilterRules?: { Name?: string; Value?: string }[] } };
      }[];
    };
    const queueNotifications: QueueNotificationBinding[] = [];
    for (const queueConfig of config.QueueConfigurations ?? []) {
      const queueLogicalId = referencedLogicalId(queueConfig.QueueArn);
      if (queueLogicalId === undefined) continue;
      const rules = queueConfig.Filter?.Key?.FilterRules ?? [];
      const rule = (name: string) => rules.find((r) => r.Name?.toLowerCase() === name)?.Value;
      queueNotifications.push({ events: queueConfig.Events ?? [], queueLogicalId, prefix: rule('prefix'), suffix: rule('suffix') });
    }
    bucketNotifications.push({
      bucketLogicalId,
      eventBridge: config.EventBridgeConfiguration !== undefined,
      queues: queueNotifications,
    });
  }

  const webSocketRoutes: WebSocketRouteBinding[] = [];
  const routeResponses = new Set(
    ofType('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => referencedLogicalId(r.Properties?.RouteId)),
  );
  for (const [routeId, route] of ofType('AWS::ApiGatewayV2::Route')) {
    const props = route.Properties ?? {};
    const integration = resources[referencedLogicalId(props.Target) ?? ''];
    const fn = functionAt(integration?.Properties?.IntegrationUri);
    if (fn === undefined || typeof props.RouteKey !== 'string') continue;
    const api = resources[referencedLogicalId(props.ApiId) ?? '']?.Properties ?? {};
    const authorizer = resources[referencedLogicalId(props.AuthorizerId) ?? '']?.Properties;
    const authorizerFunction = functionAt(authorizer?.AuthorizerUri);
    webSocketRoutes.push({
      routeKey: props.RouteKey,
      function: fn,
      apiKeyRequired: props.ApiKeyRequired === true,
      returnResponse: routeResponses.has(routeId),
      apiKeySelectionExpression: String(api.ApiKeySelectionExpression ?? '$request.header.x-api-key'),
      ...(authorizerFunction && {
        authorizer: {
          function: authorizerFunction,
          identitySource: ([] as string[]).concat((authorizer?.IdentitySource as string[] | undefined) ?? []),
        },
      }),
    });
  }

  const gatewayResponses: GatewayResponseCustomisation[] = ofType('AWS::ApiGateway::GatewayResponse').map(
    ([, response]) => {
      const props = response.Properties ?? {};
      return {
        responseType: String(props.ResponseType),
        statusCode: props.StatusCode === undefined ? undefined : String(props.StatusCode),
        responseParameters: props.ResponseParameters as Record<string, string> | undefined,
        responseTemplates: props.ResponseTemplates as Record<string, string> | undefined,
      };
    },
  );

  const options = ofType('AWS::ApiGateway::Method').find(([, method]) => method.Properties?.HttpMethod === 'OPTIONS');
  const integration = options?.[1].Properties?.Integration as
    | { IntegrationResponses?: { ResponseParameters?: Record<string, string> }[] }
    | undefined;
  const preflightHeaders = Object.fromEntries(
    Object.entries(integration?.IntegrationResponses?.[0]?.ResponseParameters ?? {}).flatMap(([name, value]) => {
      const header = /^method\.response\.header\.(.+)$/.exec(name)?.[1];
      return header === undefined ? [] : [[header, String(value).replace(/^'(.*)'$/, '$1')]];
    }),
  );

  return {
    functions: [...functions.values()],
    queues,
    queueConsumers,
    eventRules,
    scheduledRules,
    bucketNotifications,
    webSocketRoutes,
    gatewayResponses,
    ...(options && { corsPreflight: { headers: preflightHeaders } }),
    stateMachineCount: ofType('AWS::StepFunctions::StateMachine').length,
  };
}

/**
 * The logical id a property points at: `{Ref: id}`, `{"Fn::GetAtt": [id, attr]}`, or the first such
 * reference inside an `Fn::Join`/`Fn::Sub` (e.g. an integration URI built around a function ARN).
 */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string' && !node.Ref.startsWith('AWS::')) return node.Ref;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  for (const nested of Object.values(node)) {
    const parts = Array.isArray(nested) ? nested.flat(2) : [nested];
    for (const part of parts) {
      const found = referencedLogicalId(part);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * EventBridge pattern matching for the subset rules use here: exact values, `prefix`, `anything-but`, nested
 * objects, `exists`, and unresolved CloudFormation references (treated as matching any present value).
 */
export function matchesEventPattern(pattern: Readonly<Record<string, unknown>>, event: unknown): boolean {
  const node = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = node[field];
    if (Array.isArray(expected)) return expected.some((candidate) => matchesValue(candidate, actual));
    if (typeof expected === 'object' && expected !== null) {
      return typeof actual === 'object' && actual !== null && matchesEventPattern(expected as Record<string, unknown>, actual);
    }
    return false;
  });
}

function matchesValue(candidate: unknown, actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  if (typeof candidate !== 'object' || candidate === null) return values.includes(candidate);
  const filter = candidate as Record<string, unknown>;
  // A CloudFormation reference (e.g. the state machine's ARN): the local stack has one of each, so it matches.
  if (Object.keys(filter).some((key) => key === 'Ref' || key.startsWith('Fn::'))) return actual !== undefined;
  if ('prefix' in filter) return values.some((v) => typeof v === 'string' && v.startsWith(String(filter.prefix)));
  if ('exists' in filter) return (actual !== undefined) === filter.exists;
  if ('anything-but' in filter) {
    const excluded = ([] as unknown[]).concat(filter['anything-but']);
    return actual !== undefined && values.every((v) => !excluded.includes(v));
  }
  return false;
}
