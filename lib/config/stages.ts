import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Deployment stages, as typed data. bin/app.ts picks one with `-c stage=dev|prod`; nothing below bin/ reads
 * context or environment variables, so a stack is a pure function of this config.
 */
export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface ThrottleConfig {
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
}

export interface StageConfig {
  readonly name: StageName;
  /** CloudFormation termination protection on both stacks. */
  readonly terminationProtection: boolean;
  /** DynamoDB deletion protection (a second lock besides the RETAIN removal policy). */
  readonly tableDeletionProtection: boolean;
  /** Retention of every log group of the stage (Lambda, API access, state machine, CDK's own helpers). */
  readonly logRetention: RetentionDays;
  /**
   * What happens to the stage's log groups when their stack deletes or replaces them, in both stacks (logs
   * are not data: they follow the stage, not the stateful/stateless split). dev: DESTROY, so a torn-down
   * deployment leaves nothing behind; prod: RETAIN, so logs outlive a deleted or replaced stack for an
   * investigation (their events still expire after `logRetention`).
   */
  readonly logRemovalPolicy: RemovalPolicy.DESTROY | RemovalPolicy.RETAIN;
  /** Alarm notifications go to this address (SNS email subscription) when set. */
  readonly alarmEmail?: string;
  /**
   * Origins allowed to POST to the uploads bucket from a browser. `*` is safe here: an upload is authorised by
   * the signed POST policy, not by the page's origin, and the CloudFront domain is unknown to the stateful stack.
   */
  readonly uploadCorsOrigins: readonly string[];
  /** Stage-wide REST API throttle, above every usage plan: protects the account's regional API Gateway limit. */
  readonly apiThrottle: ThrottleConfig;
  /** WebSocket (progress) stage throttle. */
  readonly progressThrottle: ThrottleConfig;
}

export const STAGES: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    name: 'dev',
    terminationProtection: false,
    tableDeletionProtection: false,
    logRetention: RetentionDays.TWO_WEEKS,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    uploadCorsOrigins: ['*'],
    apiThrottle: { rateLimitPerSecond: 100, burstLimit: 200 },
    progressThrottle: { rateLimitPerSecond: 50, burstLimit: 100 },
  },
  prod: {
    name: 'prod',
    terminationProtection: true,
    tableDeletionProtection: true,
    logRetention: RetentionDays.THREE_MONTHS,
    logRemovalPolicy: RemovalPolicy.RETAIN,
    uploadCorsOrigins: ['*'],
    apiThrottle: { rateLimitPerSecond: 1_000, burstLimit: 2_000 },
    progressThrottle: { rateLimitPerSecond: 500, burstLimit: 1_000 },
  },
};

export function isStageName(value: unknown): value is StageName {
  return typeof value === 'string' && (STAGE_NAMES as readonly string[]).includes(value);
}

/** The stage config for `name`, optionally with an alarm email (which is deployment data, not code). */
export function stageConfig(name: StageName, overrides: Partial<Pick<StageConfig, 'alarmEmail'>> = {}): StageConfig {
  return { ...STAGES[name], ...overrides };
}
