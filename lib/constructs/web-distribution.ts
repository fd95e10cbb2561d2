import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  type ResponseSecurityHeadersBehavior,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ROUTES } from '../config/routes';
import { type ApiSurface, surfaceOf } from '../config/usage-plans';
import { SecureBucket } from './secure-bucket';

/** Path prefix under which CloudFront serves the REST API; the web client's `apiBaseUrl`. */
export const API_PATH_PREFIX = '/api';
/** Hashed, immutable build output (Vite-style `assets/`). */
export const HASHED_ASSETS_PATH = '/assets/*';

/**
 * CloudFront path patterns of the metered routes (`/api/uploads*`), which go to the metered API; every other
 * `/api/*` request goes to the reads API. Path parameters become wildcards.
 */
export function meteredPathPatterns(): string[] {
  const paths = ROUTES.filter((route) => surfaceOf(route) === 'metered').map((route) => route.path.replace(/\{\w+\}/g, '*'));
  return [...new Set(paths)].map((path) => `${API_PATH_PREFIX}${path}*`);
}

export interface WebDistributionProps {
  /** The REST APIs served under `/api`: the metered routes' paths go to `metered`, the rest to `reads`. */
  readonly apis: Readonly<Record<ApiSurface, RestApi>>;
  /** Receives CloudFront standard logs and the web bucket's server access logs. */
  readonly accessLogsBucket: IBucket;
  /** `wss://` URL of the progress WebSocket, written into the client's config.json. */
  readonly webSocketUrl: string;
  /**
   * Built web client (`npm run build:web` → web/dist). When undefined nothing is uploaded and the
   * distribution serves an empty bucket until a later deploy with the build present.
   * @default - no web content deployed
   */
  readonly webAssetsPath?: string;
  readonly logRetention: RetentionDays;
  /** @default PriceClass.PRICE_CLASS_100 - North America and Europe edges; cheapest */
  readonly priceClass?: PriceClass;
}

const SECURITY_HEADERS: ResponseSecurityHeadersBehavior = {
  strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
  referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
};

/** `/api/jobs` → `/jobs`: the REST API's resources have no prefix (the local gateway serves them the same). */
const STRIP_API_PREFIX = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.substring(${API_PATH_PREFIX.length}) || '/';
  return request;
}`;

/** Extension-less paths are client-side routes of the single-page app: serve index.html. */
const SPA_FALLBACK = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) { request.uri = uri + 'index.html'; }
  else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) { request.uri = '/index.html'; }
  return request;
}`;

/**
 * CloudFront in front of the web client (private bucket via Origin Access Control) and the REST API.
 *
 * - Default behaviour: the bucket; short edge TTL and `Cache-Control: no-cache` so a new index.html, sw.js or
 *   config.json is picked up within a minute.
 * - `/assets/*`: hashed file names, cached a year at the edge and marked immutable for browsers.
 * - `/api/*`: the REST APIs with caching disabled and every viewer header but Host forwarded, so responses
 *   that depend on `x-api-key` are never cached or shared between keys. The metered routes' paths
 *   (`/api/uploads*`, listed first so they win) go to the metered API, everything else to the reads API:
 *   clients keep one base URL, and the same key works on both (it is in both plans of its tier).
 * Compression is on everywhere. Error pages are deliberately not remapped: a 403/404 from the API must
 * reach API clients unchanged (the SPA fallback is a viewer-request function on the default behaviour).
 */
export class WebDistribution extends Construct {
  readonly distribution: Distribution;
  readonly webBucket: SecureBucket;
  readonly deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebDistributionProps) {
    super(scope, id);

    // Build output only: safe to delete with the stack, and it must be empty for CloudFormation to do so.
    this.webBucket = new SecureBucket(this, 'WebBucket', {
      accessLogsBucket: props.accessLogsBucket,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(this.webBucket).acknowledge({
      id: '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      reason: 'The access-log bucket (stateful stack) admits S3 log delivery from this account in its own policy.',
    });
    const webOrigin = S3BucketOrigin.withOriginAccessControl(this.webBucket);

    const pages = new ResponseHeadersPolicy(this, 'PagesHeaders', {
      comment: 'Security headers; browsers revalidate entry files',
      securityHeadersBehavior: SECURITY_HEADERS,
      customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: 'no-cache', override: true }] },
    });
    const immutable = new ResponseHeadersPolicy(this, 'ImmutableHeaders', {
      comment: 'Security headers; hashed assets never change',
      securityHeadersBehavior: SECURITY_HEADERS,
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: 'public, max-age=31536000, immutable', override: true }],
      },
    });
    const shortLived = new CachePolicy(this, 'EntryFilesCache', {
      comment: 'index.html, sw.js, config.json: at most a minute stale',
      defaultTtl: Duration.minutes(1),
      maxTtl: Duration.minutes(5),
      minTtl: Duration.seconds(0),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const hashed = new CachePolicy(this, 'HashedAssetsCache', {
      comment: 'Content-hashed assets: a year',
      defaultTtl: Duration.days(365),
      maxTtl: Duration.days(365),
      minTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const spaFallback = new CloudFrontFunction(this, 'SpaFallback', {
      comment: 'Serve index.html for client-side routes',
      code: FunctionCode.fromInline(SPA_FALLBACK),
      runtime: FunctionRuntime.JS_2_0,
    });
    const stripApiPrefix = new CloudFrontFunction(this, 'StripApiPrefix', {
      comment: `Remove the ${API_PATH_PREFIX} prefix before the REST API`,
      code: FunctionCode.fromInline(STRIP_API_PREFIX),
      runtime: FunctionRuntime.JS_2_0,
    });
    const apiBehavior = (origin: RestApiOrigin): BehaviorOptions => ({
      origin,
      // A redirect would turn a POST into a GET and drop its body: API clients must use https.
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      compress: true,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: [{ function: stripApiPrefix, eventType: FunctionEventType.VIEWER_REQUEST }],
    });

    const meteredOrigin = new RestApiOrigin(props.apis.metered);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Voice Note Translator web client and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: webOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: true,
        cachePolicy: shortLived,
        responseHeadersPolicy: pages,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [HASHED_ASSETS_PATH]: {
          origin: webOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          compress: true,
          cachePolicy: hashed,
          responseHeadersPolicy: immutable,
        },
        // CloudFront tries behaviours in this order: the metered paths before the catch-all.
        ...Object.fromEntries(meteredPathPatterns().map((pattern) => [pattern, apiBehavior(meteredOrigin)])),
        [`${API_PATH_PREFIX}/*`]: apiBehavior(new RestApiOrigin(props.apis.reads)),
      },
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A translator for voice notes is meant to be reachable from every country; no geo restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default (fixed monthly cost); the APIs behind /api/* are key-authenticated and throttled per key. Attach a web ACL per stage if needed.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; set a custom domain + certificate (TLSv1.2_2021) to raise it.',
      },
    );

    if (props.webAssetsPath !== undefined) {
      this.deployment = new BucketDeployment(this, 'DeployWeb', {
        sources: [
          // The build's own config.json is for the local stack; source maps stay private.
          Source.asset(props.webAssetsPath, { exclude: ['config.json', '**/*.map'] }),
          // Tells the client where the API and the progress socket live in this deployment.
          Source.jsonData('config.json', { apiBaseUrl: API_PATH_PREFIX, webSocketUrl: props.webSocketUrl }),
        ],
        destinationBucket: this.webBucket,
        // Old hashed assets stay: a browser still running the previous index.html may request them.
        prune: false,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 512,
        // Removal policy: the stage's, applied to every log group by LogGroupPolicy.
        logGroup: new LogGroup(this, 'DeployWebLogs', { retention: props.logRetention }),
      });
    }
  }
}

