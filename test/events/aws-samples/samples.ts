/**
 * AWS-documented event samples (sources in README.md), with the identifiers that must match our deployment
 * replaced here and nowhere else: each function below names the fields it changes. Everything else is the
 * sample as published.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, SQSEvent } from 'aws-lambda';

type Json = Record<string, any>;

/** A fresh copy of a sample file, so a test's edits never leak into another's. */
function sample(file: string): Json {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as Json;
}

/** S3 "Object Created" via EventBridge, for an object `key` in `bucket` (`detail.bucket`, `detail.object.key`, `resources`). */
export function s3ObjectCreated(bucket: string, key: string): Json {
  const event = sample('s3-object-created.eventbridge.json');
  event.resources = [`arn:aws:s3:::${bucket}`];
  event.detail.bucket.name = bucket;
  event.detail.object.key = key;
  return event;
}

/**
 * An SQS batch of one message, as `sam local generate-event sqs receive-message --body …` renders the SAM CLI
 * template: its defaults (event-mapping.json) for the account, Region and queue, and the md5 of the body.
 * What an EventBridge rule with an SQS target delivers: the event as the message body.
 */
export function sqsReceiveMessage(body: string): SQSEvent {
  const values: Record<string, string> = {
    body,
    md5_of_body: createHash('md5').update(body).digest('hex'),
    partition: 'aws',
    region: 'us-east-1',
    account_id: '123456789012',
    queue_name: 'MyQueue',
  };
  const template = readFileSync(new URL('sqs-receive-message.sam-template.json', import.meta.url), 'utf8');
  // Mustache triple braces insert raw text; inside a JSON string the value must be escaped like one.
  return JSON.parse(template.replace(/\{\{\{(\w+)\}\}\}/g, (_, name: string) => JSON.stringify(values[name]).slice(1, -1))) as SQSEvent;
}

/** "Transcribe Job State Change" for job `name` (`detail.TranscriptionJobName`); FAILED adds the documented `FailureReason`. */
export function transcribeJobStateChange(name: string, status: 'COMPLETED' | 'FAILED' = 'COMPLETED'): Json {
  const event = sample('transcribe-job-state-change.json');
  event.detail.TranscriptionJobName = name;
  event.detail.TranscriptionJobStatus = status;
  if (status === 'FAILED') event.detail.FailureReason = 'The media format is not supported.';
  return event;
}

/** "Language Identification State Change", as published (no identifier of ours in it). */
export function transcribeLanguageIdentificationStateChange(): Json {
  return sample('transcribe-language-identification-state-change.json');
}

export const EXECUTION_SAMPLES = ['started', 'succeeded', 'failed', 'timed-out', 'aborted'] as const;
export type ExecutionSample = (typeof EXECUTION_SAMPLES)[number];

/**
 * "Step Functions Execution Status Change" of an execution of `stateMachineArn` named `name` (`detail.name`,
 * `detail.executionArn`, `detail.stateMachineArn`, `resources`): our executions are named after their job.
 */
export function executionStatusChange(which: ExecutionSample, stateMachineArn: string, name: string): Json {
  const event = sample(`step-functions-execution-${which}.json`);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  event.resources = [executionArn];
  Object.assign(event.detail, { executionArn, stateMachineArn, name });
  return event;
}

/** The WebSocket REQUEST authorizer's input; `apiKey` (when given) joins the sample's query string. */
export function webSocketAuthorizerRequest(apiKey?: string): APIGatewayRequestAuthorizerEvent {
  const event = sample('websocket-connect-authorizer-request.json');
  if (apiKey !== undefined) {
    event.queryStringParameters.apiKey = apiKey;
    event.multiValueQueryStringParameters.apiKey = [apiKey];
  }
  return event as APIGatewayRequestAuthorizerEvent;
}

/**
 * The Go library's `$connect` integration event, as published: a key-enabled route's, with `identity.apiKey`
 * and `identity.apiKeyId` (= SAMPLE_API_KEY_ID).
 */
export function webSocketConnect(): Json {
  return sample('websocket-connect.aws-lambda-go.json');
}

/**
 * The API Gateway guide's `$connect` request (the REQUEST authorizer's input) given to the `$connect`
 * integration as it stands: the request context of a connect on a route that is not key-enabled, whose
 * `identity` holds `sourceIp` only.
 */
export function webSocketConnectWithoutKey(): Json {
  return sample('websocket-connect-authorizer-request.json');
}

/** A route of ours: what API Gateway sets from it (`resource`, `path`, `httpMethod`, `pathParameters`, `requestContext`'s copies). */
export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
}

function onRoute(event: Json, route: RestRoute): APIGatewayProxyEvent {
  const path = Object.entries(route.pathParameters ?? {}).reduce((p, [k, v]) => p.replace(`{${k}}`, v), route.resource);
  Object.assign(event, { resource: route.resource, path, httpMethod: route.method, pathParameters: route.pathParameters ?? null });
  Object.assign(event.requestContext, { resourcePath: route.resource, httpMethod: route.method, path: `/${event.requestContext.stage}${path}` });
  // A GET carries no body (the samples' bodies belong to their own POST routes).
  if (route.method !== 'POST') event.body = null;
  return event as APIGatewayProxyEvent;
}

/** The Go library's REST proxy event (`identity.apiKeyId` = "theApiKeyId"), on one of our routes. */
export function restProxyWithApiKey(route: RestRoute): APIGatewayProxyEvent {
  return onRoute(sample('rest-proxy.aws-lambda-go.json'), route);
}

/** The API Gateway guide's REST proxy event (no API key: `identity` has no key fields), on one of our routes. */
export function restProxyWithoutApiKey(route: RestRoute): APIGatewayProxyEvent {
  return onRoute(sample('rest-proxy.aws-docs.json'), route);
}

/** The key id in the Go library's REST and WebSocket samples. */
export const SAMPLE_API_KEY_ID = 'theApiKeyId';
