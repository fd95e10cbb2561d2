import { Duration, Validations } from 'aws-cdk-lib';
import { type CfnUsagePlan, LambdaIntegration, Period, type RestApi, type UsagePlan } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { ENV } from '../config/env-names';
import { STORAGE } from '../config/limits';
import { METRICS } from '../config/metric-names';
import { type RouteDefinition, ROUTES } from '../config/routes';
import type { ThrottleConfig } from '../config/stages';
import { TIER_NAMES, TIERS, type TierName } from '../config/tiers';
import {
  type ApiSurface,
  restApiName,
  surfaceOf,
  usagePlanLimits,
  usagePlanName,
} from '../config/usage-plans';
import { grantGsi1Query, grantItems, grantObjectDelete, grantObjectPut, type ItemAccess } from './data-access';
import type { UsagePlanStage } from './progress-channel';
import { ServiceFunction } from './service-function';
import { ServiceRestApi } from './service-rest-api';

export interface PublicApiProps {
  /** Stage name: the API Gateway stages and the `vnt-<stage>-<tier>-<surface>` usage plan names. */
  readonly stage: string;
  readonly serviceVersion: string;
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  /** HMAC key for history cursors (list-jobs only). */
  readonly cursorSecret: ISecret;
  /** Stage-wide throttle above all usage plans, on each REST API. */
  readonly throttle: ThrottleConfig;
  readonly logRetention: RetentionDays;
  /**
   * Further API stages whose keys follow one surface's tier plans (the progress WebSocket joins the reads
   * plans: lib/config/usage-plans.ts PROGRESS_SURFACE). @default - none
   */
  readonly additionalUsagePlanStages?: Partial<Record<ApiSurface, readonly UsagePlanStage[]>>;
}

/** What a route's function may touch. Every route in ROUTES must have an entry (checked at synth). */
interface RouteData {
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  readonly cursorSecret: ISecret;
}
type RouteAccess = (fn: ServiceFunction, data: RouteData) => void;

/** Table access by action and item type (see grantItems), with the env variable that names the table. */
const tableItems =
  (access: ItemAccess): RouteAccess =>
  (fn, { table }) => {
    grantItems(table, fn, access);
    fn.addEnvironment(ENV.tableName, table.tableName);
  };

/** Least privilege per handler: each grant sits next to the env variable that names the resource. */
const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  health: () => undefined,
  'get-openapi': () => undefined,
  // Reads the key's tier, counts the upload on the key's daily meter (reading it when the quota is used up),
  // writes the job, signs the presigned POST.
  'create-upload': (fn, data) => {
    tableItems({ GetItem: ['apiKey', 'usage'], UpdateItem: ['usage'], PutItem: ['job'] })(fn, data);
    grantObjectPut(data.uploadsBucket, fn, STORAGE.uploadsPrefix);
    fn.addEnvironment(ENV.uploadsBucket, data.uploadsBucket.bucketName);
  },
  'get-job': tableItems({ GetItem: ['job'] }),
  // History is a Query on GSI1 for the caller's OWNER# partition; cursors are signed with the secret.
  'list-jobs': (fn, { table, cursorSecret }) => {
    grantGsi1Query(table, fn, ['ownerHistory']);
    fn.addEnvironment(ENV.tableName, table.tableName);
    Grant.addToPrincipal({ grantee: fn, actions: ['secretsmanager:GetSecretValue'], resourceArns: [cursorSecret.secretArn] });
    fn.addEnvironment(ENV.cursorSecretArn, cursorSecret.secretArn);
  },
  'get-usage': tableItems({ GetItem: ['apiKey', 'usage'] }),
  'get-stats': tableItems({ GetItem: ['stats'] }),
  // Deletes the job with everything stored for it (callback, subscriptions, cached results), its upload and its
  // working files (by exact key: no listing needed).
  'delete-job': (fn, data) => {
    tableItems({
      GetItem: ['job'],
      Query: ['subscription'],
      BatchWriteItem: ['job', 'transcriptionCallback', 'subscription', 'connection', 'audioResult'],
    })(fn, data);
    const { uploadsBucket, workBucket } = data;
    grantObjectDelete(uploadsBucket, fn, STORAGE.uploadsPrefix);
    fn.addEnvironment(ENV.uploadsBucket, uploadsBucket.bucketName);
    grantObjectDelete(workBucket, fn, STORAGE.normalizedPrefix);
    grantObjectDelete(workBucket, fn, STORAGE.transcriptsPrefix);
    fn.addEnvironment(ENV.workBucket, workBucket.bucketName);
  },
};

/**
 * The HTTP API, built from ROUTES: one ServiceFunction per route (`functions/api/<handler>.ts`), served by two
 * REST APIs (lib/config/usage-plans.ts): `metered` (the routes that spend a note) and `reads` (every other
 * route). Each has one usage plan per tier: the metered plans carry the tier throttle and the daily quota's
 * backstop, the reads plans the tier throttle only, so reads are never blocked by the quota. A key joins both
 * plans of its tier (functions/keys/aws-key-provisioner.ts). CloudFront serves both under one base URL.
 */
export class PublicApi extends Construct {
  /** The REST API of each surface. */
  readonly apis: Readonly<Record<ApiSurface, RestApi>>;
  /**
   * The account-level API Gateway settings (its CloudWatch Logs role) the reads API sets. Any other API stage
   * that logs must depend on it: CloudFormation refuses a logging stage created before the role is set.
   */
  readonly cloudWatchAccount: IDependable;
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  /** Per surface, one plan per tier. */
  readonly usagePlans: Readonly<Record<ApiSurface, Readonly<Record<TierName, UsagePlan>>>>;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);

    const reads = new ServiceRestApi(this, 'Reads', {
      restApiName: restApiName(props.stage, 'reads'),
      description: 'Voice Note Translator API: every route but the metered ones (rate-limited, no quota)',
      stageName: props.stage,
      throttle: props.throttle,
      logRetention: props.logRetention,
    });
    const metered = new ServiceRestApi(this, 'Metered', {
      restApiName: restApiName(props.stage, 'metered'),
      description: 'Voice Note Translator API: the routes that spend a note of the daily quota',
      stageName: props.stage,
      throttle: props.throttle,
      logRetention: props.logRetention,
      cloudWatchAccount: reads.cloudWatchAccount,
    });
    const surfaces: Record<ApiSurface, ServiceRestApi> = { metered, reads };
    this.apis = { metered: metered.api, reads: reads.api };
    this.cloudWatchAccount = reads.cloudWatchAccount;

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
      const surface = surfaces[surfaceOf(route)];
      const method = surface.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // allowTestInvoke: false halves the Lambda permissions; console test calls are not needed.
        new LambdaIntegration(fn, { allowTestInvoke: false }),
        {
          apiKeyRequired: route.apiKeyRequired,
          requestValidator: surface.requestValidator,
          requestParameters: pathParameters(route.path),
        },
      );
      const why = route.apiKeyRequired
        ? 'Callers are API-key clients (apps, scripts), not signed-in users: the key, checked by API Gateway against the tier usage plans, is the identity (ownerId = apiKeyId).'
        : `${route.method} ${route.path} is public by design (health probe / API description) and carries no user data.`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
    }
    this.functions = functions;

    this.usagePlans = {
      metered: this.tierUsagePlans(props, 'metered', metered.api),
      reads: this.tierUsagePlans(props, 'reads', reads.api),
    };
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

  /** One plan per tier over `api`'s stage (and the surface's additional stages), with the surface's limits. */
  private tierUsagePlans(props: PublicApiProps, surface: ApiSurface, api: RestApi): Record<TierName, UsagePlan> {
    const plans = {} as Record<TierName, UsagePlan>;
    const extra = props.additionalUsagePlanStages?.[surface] ?? [];
    for (const tier of TIER_NAMES) {
      const limits = usagePlanLimits(tier, surface);
      const quota = limits.dailyRequestQuota;
      const plan = api.addUsagePlan(`${pascalCase(tier)}UsagePlan`, {
        // The key provisioner (bin/keys.ts) finds plans by this name: the one physical name we set.
        name: usagePlanName(props.stage, tier, surface),
        description:
          quota === undefined
            ? `${tier} tier, ${surface}: rate-limited, no quota`
            : `${tier} tier, ${surface}: ${TIERS[tier].dailyQuota} notes/day metered exactly; quota ${quota} is the backstop`,
        ...(quota !== undefined && { quota: { limit: quota, period: Period.DAY } }),
        throttle: { rateLimit: limits.rateLimitPerSecond, burstLimit: limits.burstLimit },
        apiStages: [{ api, stage: api.deploymentStage }],
      });
      if (extra.length > 0) {
        // The L2 only accepts REST stages; a WebSocket stage is listed the same way in CloudFormation.
        (plan.node.defaultChild as CfnUsagePlan).addPropertyOverride('ApiStages', [
          { ApiId: api.restApiId, Stage: api.deploymentStage.stageName },
          ...extra.map((s) => ({ ApiId: s.apiId, Stage: s.stageName })),
        ]);
      }
      plans[tier] = plan;
    }
    return plans;
  }
}

function pathParameters(path: string): Record<string, boolean> | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true]));
}

function pascalCase(kebab: string): string {
  return kebab.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
