import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIERS } from '../../../lib/config/tiers';
import { quotaBackstop } from '../../../lib/config/usage-plans';
import { type UsageDecision, UsagePlans } from '../../../local/gateway/usage-plans';

const NOON = Date.parse('2026-03-14T12:00:00.000Z');
const BACKSTOP = quotaBackstop(TIERS.free.dailyQuota);
/** Lifts the free tier's throttle so the quota alone decides. */
const UNTHROTTLED = { free: { rateLimitPerSecond: 1_000_000, burstLimit: 1_000_000 } };

let dir: string;
let plans: UsagePlans | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-usage-plans-'));
});

afterEach(async () => {
  await plans?.stop();
  plans = undefined;
  await rm(dir, { recursive: true, force: true });
});

const counterFile = () => path.join(dir, 'usage-plans.json');
const repeat = (times: number, decide: (i: number) => UsageDecision) => Array.from({ length: times }, (_, i) => decide(i));
const count = (decisions: UsageDecision[]) =>
  decisions.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d]: (acc[d] ?? 0) + 1 }), {});

describe('local usage plans', () => {
  it('never quota-block reads, however many, before or after the metered quota is spent', async () => {
    plans = await UsagePlans.load(counterFile(), UNTHROTTLED);
    expect(count(repeat(1_000, () => plans!.admit('k', 'free', 'reads', NOON)))).toEqual({ allowed: 1_000 });
    expect(count(repeat(BACKSTOP + 5, () => plans!.admit('k', 'free', 'metered', NOON)))).toEqual({
      allowed: BACKSTOP,
      'quota-exceeded': 5,
    });
    expect(count(repeat(1_000, () => plans!.admit('k', 'free', 'reads', NOON)))).toEqual({ allowed: 1_000 });
  });

  it('give the metered plan the quota backstop just above the tier’s notes, per key and UTC day', async () => {
    plans = await UsagePlans.load(counterFile(), UNTHROTTLED);
    expect(BACKSTOP).toBe(110);
    repeat(BACKSTOP, () => plans!.admit('k', 'free', 'metered', NOON));
    expect(plans.admit('k', 'free', 'metered', NOON)).toBe('quota-exceeded');
    expect(plans.admit('other', 'free', 'metered', NOON)).toBe('allowed');
    expect(plans.admit('k', 'free', 'metered', Date.parse('2026-03-15T00:00:00.000Z'))).toBe('allowed');
  });

  it('throttle each plan on its own: a spent reads burst leaves the metered bucket whole', async () => {
    plans = await UsagePlans.load(counterFile());
    const { burstLimit, rateLimitPerSecond } = TIERS.free;
    expect(count(repeat(burstLimit + 3, () => plans!.admit('k', 'free', 'reads', NOON)))).toEqual({
      allowed: burstLimit,
      throttled: 3,
    });
    expect(plans.admit('k', 'free', 'metered', NOON)).toBe('allowed');
    // One second refills rateLimitPerSecond tokens (the gateway's Retry-After: 1).
    expect(count(repeat(rateLimitPerSecond + 1, () => plans!.admit('k', 'free', 'reads', NOON + 1_000)))).toEqual({
      allowed: rateLimitPerSecond,
      throttled: 1,
    });
  });

  it('spend no quota on throttled requests', async () => {
    plans = await UsagePlans.load(counterFile());
    // Far more metered requests than the burst, in the same instant: only the burst is let through and counted.
    repeat(BACKSTOP * 2, () => plans!.admit('k', 'free', 'metered', NOON));
    await plans.stop();
    expect(JSON.parse(await readFile(counterFile(), 'utf8'))).toEqual({ 'metered/k': { day: '2026-03-14', used: TIERS.free.burstLimit } });
  });

  it('keep the day’s counters across a restart, dropping counters of the older per-key format', async () => {
    await writeFile(
      counterFile(),
      JSON.stringify({ 'metered/k': { day: '2026-03-14', used: BACKSTOP }, k: { day: '2026-03-14', used: 100 } }),
    );
    plans = await UsagePlans.load(counterFile(), UNTHROTTLED);
    expect(plans.admit('k', 'free', 'metered', NOON)).toBe('quota-exceeded');
    expect(plans.admit('k', 'free', 'reads', NOON)).toBe('allowed');
    await plans.stop();
    expect(Object.keys(JSON.parse(await readFile(counterFile(), 'utf8')))).toEqual(['metered/k']);
  });
});
