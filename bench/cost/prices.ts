/**
 * Public AWS list prices, us-east-1, on-demand, after free tiers. Written down by hand: the benchmark machine
 * has no internet, so these are the published prices as last known (mid-2025), recorded on the date below.
 * Verify against https://aws.amazon.com/<service>/pricing/ before relying on any number derived from them.
 */
export interface PriceList {
  readonly region: string;
  /** Human note printed above every cost table. */
  readonly asOf: string;
  readonly transcribeBatch: { readonly perMinute: number; readonly minimumSecondsPerRequest: number };
  readonly transcribeStreaming: { readonly perMinute: number; readonly minimumSecondsPerRequest: number };
  readonly translate: { readonly perMillionCharacters: number };
  readonly lambdaArm64: { readonly perGbSecond: number; readonly perMillionRequests: number };
  readonly stepFunctionsStandard: { readonly perThousandTransitions: number };
  readonly dynamoDbOnDemand: {
    readonly perMillionWriteUnits: number;
    readonly perMillionReadUnits: number;
    readonly perGbMonth: number;
  };
  readonly s3Standard: {
    readonly perThousandPuts: number;
    readonly perThousandGets: number;
    readonly perGbMonth: number;
  };
  readonly apiGatewayRest: { readonly perMillionRequests: number };
  readonly apiGatewayWebSocket: { readonly perMillionMessages: number; readonly perMillionConnectionMinutes: number };
  readonly sqsStandard: { readonly perMillionRequests: number };
  readonly cloudWatchLogs: { readonly perGbIngested: number };
  readonly xRay: { readonly perMillionTracesRecorded: number };
  /** Serves the web client only; no per-note request goes through it, so it is listed but not in the model. */
  readonly cloudFront: { readonly perGbOutNorthAmerica: number; readonly perTenThousandHttpsRequests: number };
  /**
   * What a deployed stage costs while idle: CloudWatch dashboards, alarms (billed per metric an alarm reads),
   * custom metrics (pro-rated by the hour, only while datapoints arrive) and log storage. Free tiers ignored.
   */
  readonly cloudWatch: {
    readonly perDashboardMonth: number;
    readonly perStandardAlarmMetricMonth: number;
    readonly perCustomMetricMonth: number;
    readonly perGbLogStorageMonth: number;
  };
  readonly secretsManager: { readonly perSecretMonth: number; readonly perTenThousandApiCalls: number };
  /** Customer managed keys only; AWS managed keys (aws/dynamodb, aws/secretsmanager) have no monthly fee. */
  readonly kms: { readonly perCustomerManagedKeyMonth: number };
  /** Per web ACL, before rules and requests. */
  readonly waf: { readonly perWebAclMonth: number };
  /** Dated separately from `asOf`: added later, when the fixed-cost report was written. */
  readonly fixedCostAsOf: string;
}

export const US_EAST_1_PRICES: PriceList = {
  region: 'us-east-1',
  asOf: 'list prices as of mid-2025 (written down offline on 2026-11-25), verify before relying',
  // Billed per second with a 15 s minimum per request (standard tier, first 250k min/month).
  transcribeBatch: { perMinute: 0.024, minimumSecondsPerRequest: 15 },
  // Same per-minute price; every stream is one request with its own 15 s minimum.
  transcribeStreaming: { perMinute: 0.024, minimumSecondsPerRequest: 15 },
  translate: { perMillionCharacters: 15 },
  lambdaArm64: { perGbSecond: 0.0000133334, perMillionRequests: 0.2 },
  stepFunctionsStandard: { perThousandTransitions: 0.025 },
  // On-demand prices after the November 2024 reduction.
  dynamoDbOnDemand: { perMillionWriteUnits: 0.625, perMillionReadUnits: 0.125, perGbMonth: 0.25 },
  // A presigned POST upload is billed as a PUT-class request.
  s3Standard: { perThousandPuts: 0.005, perThousandGets: 0.0004, perGbMonth: 0.023 },
  apiGatewayRest: { perMillionRequests: 3.5 },
  apiGatewayWebSocket: { perMillionMessages: 1.0, perMillionConnectionMinutes: 0.25 },
  sqsStandard: { perMillionRequests: 0.4 },
  cloudWatchLogs: { perGbIngested: 0.5 },
  xRay: { perMillionTracesRecorded: 5.0 },
  cloudFront: { perGbOutNorthAmerica: 0.085, perTenThousandHttpsRequests: 0.01 },
  // Dashboards: the first 3 per account are free (up to 50 metrics each); custom metrics: first 10,000 tier.
  cloudWatch: { perDashboardMonth: 3.0, perStandardAlarmMetricMonth: 0.1, perCustomMetricMonth: 0.3, perGbLogStorageMonth: 0.03 },
  secretsManager: { perSecretMonth: 0.4, perTenThousandApiCalls: 0.05 },
  kms: { perCustomerManagedKeyMonth: 1.0 },
  waf: { perWebAclMonth: 5.0 },
  fixedCostAsOf: 'CloudWatch, Secrets Manager and KMS list prices as of mid-2025 (written down offline on 2026-12-01), verify before relying',
};
