import type { PriceList } from '../cost/prices';

/**
 * What one deployed stage costs per month with no traffic, item by item. Pure: the counts come from the
 * synthesised templates (template-facts.ts) and the code (metric names, routes, failure codes), the prices
 * from bench/cost/prices.ts, so `npm run capacity` reprints the table after any change to either.
 */
export interface IdleStageInventory {
  readonly dashboards: number;
  /** Metrics the alarms evaluate (alarmMetricCount). */
  readonly alarmMetrics: number;
  readonly secrets: number;
  readonly customerManagedKmsKeys: number;
  /**
   * Custom metric series the code can emit (each name × dimension values): billed only for the hours
   * datapoints arrive, so an idle stage pays none of them.
   */
  readonly customMetricSeries: number;
  readonly webAclAssociations: number;
}

/** Lambda long-polls the intake queue even when it is empty: SQS bills those receives. An assumption, see below. */
export interface QueuePolling {
  readonly queues: number;
  /** Concurrent long-poll connections Lambda keeps on an idle queue (AWS does not publish a number; assumed). */
  readonly pollersPerQueue: number;
  /** ReceiveMessage wait time: 20 s, Lambda's long poll. */
  readonly waitSeconds: number;
}

/** A function run on a schedule (the job sweeper): it runs, logs and may cold-start with no traffic. */
export interface ScheduledFunction {
  readonly name: string;
  readonly everySeconds: number;
  readonly memoryMb: number;
  /** Run time of an idle sweep (assumed: one index Query that finds nothing). */
  readonly idleRunMs: number;
  /** Log bytes of one idle run (START/END/REPORT lines and a Powertools line or two). */
  readonly logBytesPerRun: number;
}

export interface FixedCostItem {
  readonly item: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly monthly: number;
  /** True when nothing is billed until there is traffic (listed for completeness, not in the idle total). */
  readonly onlyWithTraffic?: boolean;
  readonly note?: string;
}

const MONTH_SECONDS = 30 * 86_400;

export function fixedMonthlyCost(
  inventory: IdleStageInventory,
  polling: QueuePolling,
  scheduled: readonly ScheduledFunction[],
  prices: PriceList,
): FixedCostItem[] {
  const cw = prices.cloudWatch;
  const receives = polling.queues * polling.pollersPerQueue * (MONTH_SECONDS / polling.waitSeconds);
  const item = (name: string, quantity: number, unitPrice: number, extra: Partial<FixedCostItem> = {}): FixedCostItem => ({
    item: name,
    quantity,
    unitPrice,
    monthly: quantity * unitPrice,
    ...extra,
  });
  return [
    item('CloudWatch dashboard', inventory.dashboards, cw.perDashboardMonth, { note: 'free if the account has no more than 3 dashboards' }),
    item('CloudWatch alarm metrics (standard resolution)', inventory.alarmMetrics, cw.perStandardAlarmMetricMonth),
    item('Secrets Manager secret (history cursor key)', inventory.secrets, prices.secretsManager.perSecretMonth),
    item('KMS customer managed keys', inventory.customerManagedKmsKeys, prices.kms.perCustomerManagedKeyMonth, {
      note: 'the table and the secret use AWS managed keys; buckets and queues SSE-S3/SQS',
    }),
    item('SQS receives by the idle intake queue poller (estimate)', Math.round(receives), prices.sqsStandard.perMillionRequests / 1e6, {
      note: `assumes ${polling.pollersPerQueue} long-poll connections of ${polling.waitSeconds} s; inside the free tier of 1 M requests a month`,
    }),
    ...scheduled.map((f) => {
      const runs = MONTH_SECONDS / f.everySeconds;
      const perRun =
        prices.lambdaArm64.perMillionRequests / 1e6 +
        (f.memoryMb / 1024) * (f.idleRunMs / 1000) * prices.lambdaArm64.perGbSecond +
        (f.logBytesPerRun / 1024 ** 3) * prices.cloudWatchLogs.perGbIngested;
      return item(`Scheduled Lambda runs: ${f.name} every ${f.everySeconds / 60} min`, runs, perRun, {
        note: `${f.memoryMb} MB for an assumed ${f.idleRunMs} ms and ${f.logBytesPerRun} log bytes a run; its ColdStart metric may add $${prices.cloudWatch.perCustomMetricMonth}`,
      });
    }),
    item('WAF web ACLs', inventory.webAclAssociations, prices.waf.perWebAclMonth, { note: 'none attached by default' }),
    item('Custom metrics, when every series is emitted in the month', inventory.customMetricSeries, cw.perCustomMetricMonth, {
      onlyWithTraffic: true,
      note: 'pro-rated by the hour a series receives data',
    }),
  ];
}

/**
 * Custom metric series the functions can emit, from what the code defines: Powertools' ColdStart once per
 * function (its `function_name` dimension), RequestDuration once per route, every other metric name once (one
 * service emits each), and NotesFailed once more per failure code (its `failureCode` datapoint).
 */
export function customMetricSeries(counts: {
  readonly functionsWithMetrics: number;
  readonly routes: number;
  /** Every name in METRICS.names, RequestDuration included. */
  readonly metricNames: number;
  readonly failureCodes: number;
}): number {
  return counts.functionsWithMetrics + counts.routes + (counts.metricNames - 1) + counts.failureCodes;
}

/** The idle total: every item but those billed only with traffic. */
export function idleMonthlyTotal(items: readonly FixedCostItem[]): number {
  return items.filter((i) => !i.onlyWithTraffic).reduce((sum, i) => sum + i.monthly, 0);
}
