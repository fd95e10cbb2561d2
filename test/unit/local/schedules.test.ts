/**
 * The template's scheduled rules in the local stack: bound from the template (ScheduleExpression → targets),
 * fired at start and then at their rate through the event bus, one run at a time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalSchedules, rateMs } from '../../../local/events/schedules';
import { bindTemplates, type CfnTemplate, type EventTarget, type ScheduledRuleBinding } from '../../../local/template/template-bindings';

const SWEEPER_ENTRY = 'functions/pipeline/sweep-jobs.ts';

const template: CfnTemplate = {
  Resources: {
    SweepFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { Timeout: 120 },
      Metadata: { 'vnt:entry': SWEEPER_ENTRY },
    },
    SweepSchedule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [{ Arn: { 'Fn::GetAtt': ['SweepFunction', 'Arn'] }, Id: 'Target0' }],
      },
    },
    Disabled: {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'rate(1 minute)', State: 'DISABLED', Targets: [{ Arn: { 'Fn::GetAtt': ['SweepFunction', 'Arn'] } }] },
    },
  },
} as unknown as CfnTemplate;

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduled rules from the template', () => {
  it('binds an enabled rule with a ScheduleExpression to its function targets, and no event rule for it', () => {
    const bindings = bindTemplates([template]);

    expect(bindings.scheduledRules).toEqual([
      {
        logicalId: 'SweepSchedule',
        scheduleExpression: 'rate(5 minutes)',
        targets: [{ kind: 'function', function: expect.objectContaining({ entry: SWEEPER_ENTRY, timeoutMs: 120_000 }) }],
      },
    ]);
    expect(bindings.eventRules).toEqual([]);
  });

  it.each([
    ['rate(5 minutes)', 300_000],
    ['rate(1 minute)', 60_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
  ])('reads %s as %i ms', (expression, ms) => {
    expect(rateMs(expression, 'Rule')).toBe(ms);
  });

  it.each(['cron(0 12 * * ? *)', 'rate(0 minutes)', 'rate(5 fortnights)'])('refuses %s, naming the rule', (expression) => {
    expect(() => rateMs(expression, 'NightlyRule')).toThrow(/NightlyRule/);
  });
});

describe('LocalSchedules', () => {
  const rule: ScheduledRuleBinding = {
    logicalId: 'SweepSchedule',
    scheduleExpression: 'rate(5 minutes)',
    targets: [{ kind: 'queue', queueLogicalId: 'Q' } satisfies EventTarget],
  };

  it('fires every rule at start, then at its rate, with the event EventBridge sends', async () => {
    vi.useFakeTimers();
    const deliver = vi.fn(async () => undefined);
    const schedules = new LocalSchedules({ rules: [rule], bus: { deliver }, region: 'us-east-1', account: '000000000000', onError: vi.fn() });

    schedules.start();
    expect(deliver).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(deliver).toHaveBeenCalledTimes(2);
    await schedules.stop();
    await vi.advanceTimersByTimeAsync(15 * 60_000);

    expect(deliver).toHaveBeenCalledTimes(2);
    expect(deliver).toHaveBeenCalledWith(rule.targets, {
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: expect.any(String),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/SweepSchedule'],
      detail: {},
    });
  });

  it('does not start a run while the previous one is still going, and stop waits for it', async () => {
    vi.useFakeTimers();
    let finish!: () => void;
    const deliver = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const schedules = new LocalSchedules({ rules: [rule], bus: { deliver }, region: 'us-east-1', account: '000000000000', onError: vi.fn() });

    schedules.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(deliver).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = schedules.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('refuses to start with a schedule it cannot run', () => {
    const cron = { ...rule, scheduleExpression: 'cron(0 12 * * ? *)' };
    expect(() => new LocalSchedules({ rules: [cron], bus: { deliver: vi.fn() }, region: 'r', account: 'a', onError: vi.fn() })).toThrow(/SweepSchedule/);
  });
});
