import { Validations } from 'aws-cdk-lib';
import {
  type CfnStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketApiKeySelectionExpression,
  WebSocketRoute,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../config/env-names';
import { METRICS } from '../config/metric-names';
import { grantItems } from './data-access';
import { acknowledgeWildcardResources } from './nag';
import { ServiceFunction } from './service-function';

/**
 * Where job progress is pushed. The pipeline depends on this interface only, so it neither knows nor cares
 * that the AWS implementation is an API Gateway WebSocket API (the local stack serves the same contract).
 */
export interface ProgressChannel {
  /** https endpoint of the connection-management API; publishers POST to `<endpoint>/@connections/{id}`. */
  readonly endpoint: string;
  /** Lets `grantee` post to (and drop) connections of this channel. */
  grantPublish(grantee: IGrantable): void;
}

/** The API + stage a usage plan must list so API keys work on it. */
export interface UsagePlanStage {
  readonly apiId: string;
  readonly stageName: string;
}

export interface ProgressWebSocketApiProps {
  /** Holds API key records (checked at $connect) and job ↔ connection subscriptions. */
  readonly table: ITableV2;
  /** Deployment stage name; also the WebSocket stage name. */
  readonly stage: string;
  /** Stage-wide throttle (messages per second across all connections). */
  readonly throttle: { readonly rateLimitPerSecond: number; readonly burstLimit: number };
  /** Retention of the functions' and access logs. */
  readonly logRetention: RetentionDays;
}

/**
 * WebSocket API for job progress: `$connect`, `$disconnect`, and `subscribe` `{action:'subscribe', jobId}`.
 *
 * Browsers cannot set headers on a WebSocket handshake, so clients pass `?apiKey=`; a REQUEST authorizer
 * hands it to API Gateway as the usage identifier key, and API Gateway validates it against the tier usage
 * plans (which list this stage, see `usagePlanStage`) and sets `identity.apiKeyId` for the connect handler,
 * exactly as the REST API does. Only $connect requires a key, so only connects count against a quota.
 */
export class ProgressWebSocketApi extends Construct implements ProgressChannel {
  readonly api: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly endpoint: string;
  /** `wss://` URL clients connect to. */
  readonly url: string;
  readonly usagePlanStage: UsagePlanStage;
  readonly functions: Readonly<Record<'authorize' | 'connect' | 'disconnect' | 'subscribe', ServiceFunction>>;

  constructor(scope: Construct, id: string, props: ProgressWebSocketApiProps) {
    super(scope, id);

    const fn = (name: keyof ProgressWebSocketApi['functions'], construct: string, description: string) =>
      new ServiceFunction(this, construct, {
        entry: `functions/progress/${name}.ts`,
        description,
        powertoolsServiceName: METRICS.services.pipeline,
        stage: props.stage,
        logRetention: props.logRetention,
      });
    const authorize = fn('authorize', 'AuthorizeFunction', 'WebSocket authorizer: passes ?apiKey= on as the usage key');
    const connect = fn('connect', 'ConnectFunction', 'WebSocket $connect: checks the key record, registers the connection');
    const disconnect = fn('disconnect', 'DisconnectFunction', 'WebSocket $disconnect: drops the connection subscriptions');
    const subscribe = fn('subscribe', 'SubscribeFunction', 'WebSocket subscribe: follows one of the caller’s jobs');
    for (const f of [connect, disconnect, subscribe]) {
      f.addEnvironment(ENV.tableName, props.table.tableName);
    }
    // connect checks the KEY# record and registers the connection's owner; disconnect drops the connection's
    // items and its subscriptions; subscribe re-reads the KEY# record (a revoked key's connection stops there),
    // reads the job it is asked to follow, and writes both sides of the subscription. None may write jobs or keys.
    grantItems(props.table, connect, { GetItem: ['apiKey'], PutItem: ['connection'] });
    grantItems(props.table, disconnect, { Query: ['connection'], BatchWriteItem: ['connection', 'subscription'] });
    grantItems(props.table, subscribe, { GetItem: ['connection', 'apiKey', 'job'], BatchWriteItem: ['subscription', 'connection'] });
    this.functions = { authorize, connect, disconnect, subscribe };

    this.api = new WebSocketApi(this, 'Api', {
      // Stages may share an account: the name (the ApiName metric dimension) tells them apart.
      apiName: `vnt-${props.stage}-progress`,
      description: 'Voice Note Translator job progress',
      apiKeySelectionExpression: WebSocketApiKeySelectionExpression.AUTHORIZER_USAGE_IDENTIFIER_KEY,
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('Disconnect', disconnect) },
    });
    // Declared as a route (not connectRouteOptions) because only WebSocketRoute exposes apiKeyRequired.
    new WebSocketRoute(this, 'ConnectRoute', {
      webSocketApi: this.api,
      routeKey: '$connect',
      integration: new WebSocketLambdaIntegration('Connect', connect),
      authorizer: new WebSocketLambdaAuthorizer('ApiKeyAuthorizer', authorize, {
        identitySource: ['route.request.querystring.apiKey'],
      }),
      apiKeyRequired: true,
    });
    // returnResponse: the subscribe acknowledgement (or error body) goes back to the client.
    const subscribeRoute = this.api.addRoute('subscribe', {
      integration: new WebSocketLambdaIntegration('Subscribe', subscribe),
      returnResponse: true,
    });

    for (const route of [subscribeRoute, this.api.node.findChild('$disconnect-Route')]) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'WebSocket APIs authorise only $connect (API key via authorizer + usage plan); later frames travel on that authenticated connection and the handlers check ownership.',
      });
    }

    // Removal policy: the stage's, applied to every log group by LogGroupPolicy.
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.webSocketStage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stage,
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimitPerSecond, burstLimit: props.throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    this.endpoint = this.webSocketStage.callbackUrl;
    this.url = this.webSocketStage.url;
    // Ref of the stage resource: its name, and a dependency so usage plans are created after the stage.
    this.usagePlanStage = { apiId: this.api.apiId, stageName: (this.webSocketStage.node.defaultChild as CfnStage).ref };
    // subscribe answers with the job's current state straight away, over the management API.
    this.grantPublish(subscribe);
    subscribe.addEnvironment(ENV.progressEndpoint, this.endpoint);
  }

  grantPublish(grantee: IGrantable): void {
    const grant = this.webSocketStage.grantManagementApiAccess(grantee);
    acknowledgeWildcardResources(
      grantee,
      grant.principalStatements.flatMap((statement) => statement.resources),
      'ManageConnections on this API stage only; connection ids are only known at run time.',
    );
  }
}
