import type { FunctionHost } from '../lambda/function-host';
import { type EventRuleBinding, matchesEventPattern } from '../stepfunctions/template-bindings';

export interface EventBusOptions {
  readonly functions: FunctionHost;
  readonly rules: readonly EventRuleBinding[];
  onError(error: unknown, context: string): void;
}

/**
 * The default EventBridge bus, locally: an event goes to every function whose rule (from the template)
 * matches it, asynchronously like an EventBridge target. Failures are logged, not retried: the functions are
 * idempotent and the workflow's own timeouts and the watchdog cover a lost event, as in AWS.
 */
export class LocalEventBus {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EventBusOptions) {}

  put(event: { readonly source: string; readonly 'detail-type': string }): number {
    const targets = this.options.rules.filter((rule) => matchesEventPattern(rule.eventPattern, event));
    for (const rule of targets) {
      const delivery = this.options.functions
        .invoke({ entry: rule.function.entry, timeoutMs: rule.function.timeoutMs }, event)
        .then(
          () => undefined,
          (error: unknown) => this.options.onError(error, `${event['detail-type']} → ${rule.function.entry}`),
        );
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
    return targets.length;
  }

  /** Waits for deliveries in progress (used at shutdown so no handler runs against stopped emulators). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
