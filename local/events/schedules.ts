import { randomUUID } from 'node:crypto';
import type { ScheduledRuleBinding } from '../template/template-bindings';
import type { LocalEventBus } from './event-bus';

export interface LocalSchedulesOptions {
  readonly rules: readonly ScheduledRuleBinding[];
  readonly bus: Pick<LocalEventBus, 'deliver'>;
  readonly region: string;
  readonly account: string;
  onError(error: unknown, context: string): void;
}

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * EventBridge's `rate(<n> <unit>)` schedule expression as milliseconds (cron expressions have no local
 * counterpart: a rule using one fails the start, naming itself).
 */
export function rateMs(expression: string, ruleLogicalId: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (match === null || Number(match[1]) < 1) {
    throw new Error(`Scheduled rule ${ruleLogicalId}: the local stack runs rate(<n> minutes|hours|days) schedules only, not ${expression}`);
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** The event EventBridge sends a scheduled rule's targets. */
export function scheduledEvent(rule: ScheduledRuleBinding, region: string, account: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/${rule.logicalId}`],
    detail: {},
  } as const;
}

/**
 * The template's scheduled rules, locally: each fires at start and then at its rate, through the event bus to
 * its targets. At start, because the local stack's executions live in memory and die with it: the job
 * sweeper's first run then restarts whatever a crash or a stop left in flight. A run still going when the
 * next is due is not doubled (in AWS the sweeper's timeout is shorter than its rate for the same reason).
 */
export class LocalSchedules {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: LocalSchedulesOptions) {
    for (const rule of options.rules) rateMs(rule.scheduleExpression, rule.logicalId);
  }

  start(): void {
    for (const rule of this.options.rules) {
      this.fire(rule);
      const timer = setInterval(() => this.fire(rule), rateMs(rule.scheduleExpression, rule.logicalId));
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** No more runs; resolves when the runs in progress have ended. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all(this.running.values());
  }

  private fire(rule: ScheduledRuleBinding): void {
    if (this.running.has(rule.logicalId)) return;
    const { region, account } = this.options;
    const run = this.options.bus
      .deliver(rule.targets, scheduledEvent(rule, region, account))
      .catch((error: unknown) => this.options.onError(error, `schedule ${rule.logicalId}`))
      .finally(() => this.running.delete(rule.logicalId));
    this.running.set(rule.logicalId, run);
  }
}
