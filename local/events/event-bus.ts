import type { FunctionHost } from '../lambda/function-host';
import { type EventRuleBinding, type EventTarget, matchesEventPattern } from '../template/template-bindings';

export interface EventBusOptions {
  readonly functions: FunctionHost;
  readonly rules: readonly EventRuleBinding[];
  /** Delivers to an SQS target (the message body is the event, as EventBridge sends it). */
  sendToQueue(queueLogicalId: string, body: string): Promise<void>;
  onError(error: unknown, context: string): void;
}

export interface BusEvent {
  readonly source: string;
  readonly 'detail-type': string;
}

/**
 * The default EventBridge bus, locally: an event goes to every target of every rule (from the template)
 * whose pattern matches, asynchronously like EventBridge. Failures are logged, not retried: the consumers are
 * idempotent, and the workflow's timeouts and the watchdog cover a lost event, as they do in AWS.
 */
export class LocalEventBus {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EventBusOptions) {}

  /** Returns how many targets the event went to. */
  put(event: BusEvent): number {
    const targets = this.options.rules
      .filter((rule) => matchesEventPattern(rule.eventPattern, event))
      .flatMap((rule) => rule.targets);
    void this.deliver(targets, event);
    return targets.length;
  }

  /**
   * Delivers an event to given targets (a scheduled rule's), tracked like every delivery so `drain` waits for
   * it; resolves when they all have it, failures logged.
   */
  deliver(targets: readonly EventTarget[], event: BusEvent): Promise<void> {
    const deliveries = targets.map((target) => {
      const delivery = this.deliverTo(target, event).catch((error: unknown) =>
        this.options.onError(error, `${event['detail-type']} → ${describe(target)}`),
      );
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
      return delivery;
    });
    return Promise.all(deliveries).then(() => undefined);
  }

  /** Waits for deliveries in progress (at shutdown, so no handler runs against stopped emulators). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private async deliverTo(target: EventTarget, event: BusEvent): Promise<void> {
    if (target.kind === 'queue') {
      await this.options.sendToQueue(target.queueLogicalId, JSON.stringify(event));
      return;
    }
    await this.options.functions.invoke(
      { entry: target.function.entry, name: target.function.logicalId, timeoutMs: target.function.timeoutMs },
      event,
    );
  }
}

function describe(target: EventTarget): string {
  return target.kind === 'queue' ? `queue ${target.queueLogicalId}` : target.function.entry;
}
