import validateAsl from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGE_NAMES, type StageName } from '../../lib/config/stages';
import { stateMachinesOf, type TemplateStateMachine } from '../../local/workflow/template-asl';
import { SHARED_ACCOUNT, synthesizeStages } from './helpers/synth';

/**
 * asl-validator (an Amazon States Language validator independent of CDK and of the local runner) on every
 * state machine of every stage, as deployed: intrinsics resolved to ARNs first, as the local stack does.
 */
let machines: Record<StageName, TemplateStateMachine[]>;

beforeAll(() => {
  const stages = synthesizeStages();
  machines = Object.fromEntries(
    STAGE_NAMES.map((stage) => [
      stage,
      [stages[stage].stateful, stages[stage].stateless].flatMap((t) =>
        stateMachinesOf(t.toJSON() as never, { account: SHARED_ACCOUNT.account, region: SHARED_ACCOUNT.region }),
      ),
    ]),
  ) as Record<StageName, TemplateStateMachine[]>;
});

describe('asl-validator on every state machine definition', () => {
  it.each(STAGE_NAMES)('%s: valid Amazon States Language, ARNs and paths included', (stage) => {
    expect(machines[stage].length).toBeGreaterThan(0);
    for (const { logicalId, definition } of machines[stage]) {
      const result = validateAsl(definition, { checkArn: true, checkPaths: true });
      expect(result.errorsText(), logicalId).toBe('');
      expect(result.isValid, logicalId).toBe(true);
      console.info(`${stage} ${logicalId}: valid, ${Object.keys(definition.States).length} top-level states`);
    }
  });

  it('is a real judge: a dangling transition in the same definition is reported', () => {
    const [{ definition }] = machines.dev as [TemplateStateMachine];
    const broken = structuredClone(definition) as { StartAt: string; States: Record<string, { Next?: string }> };
    broken.States[broken.StartAt]!.Next = 'NoSuchState';

    const result = validateAsl(broken, { checkArn: true, checkPaths: true });

    expect(result.isValid).toBe(false);
    expect(result.errors.map((e) => e['Error code'])).toContain('MISSING_TRANSITION_TARGET');
  });
});
