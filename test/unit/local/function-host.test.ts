import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerEnvironments } from '../../../local/lambda/handler-environment';
import { FunctionHost } from '../../../local/lambda/function-host';
import type { FunctionEnvironment } from '../../../local/template/template-environment';

const RECORDS = 'test/unit/local/fixtures/records-environment.ts';
const REQUIRES = 'test/unit/local/fixtures/requires-variable.ts';

/** Two functions: Worker's template sets VNT_FIXTURE_VARIABLE, the other one's does not. */
function environments(otherEntry: string): HandlerEnvironments {
  const own = (logicalId: string, entry: string, variables: Record<string, string>): [string, FunctionEnvironment] => [
    entry,
    { function: { logicalId, entry }, variables },
  ];
  return {
    shared: { VNT_FIXTURE_STAGE: 'dev', VNT_FIXTURE_VARIABLE: 'worker-only' },
    byEntry: new Map([
      own('Other', otherEntry, { VNT_FIXTURE_STAGE: 'dev' }),
      own('Worker', 'functions/worker.ts', { VNT_FIXTURE_STAGE: 'dev', VNT_FIXTURE_VARIABLE: 'worker-only' }),
    ]),
    templateVariables: new Set(['VNT_FIXTURE_STAGE', 'VNT_FIXTURE_VARIABLE']),
  };
}

describe('FunctionHost', () => {
  afterEach(() => {
    delete process.env.VNT_FIXTURE_STAGE;
    delete process.env.VNT_FIXTURE_VARIABLE;
  });

  it('loads each handler with its own template’s variables only, then runs it with the shared environment', async () => {
    const host = new FunctionHost();
    host.useEnvironments(environments(RECORDS));

    await host.preload([RECORDS]);

    const { environmentAtLoad } = (await import('./fixtures/records-environment')) as typeof import('./fixtures/records-environment');
    expect(environmentAtLoad.VNT_FIXTURE_STAGE).toBe('dev');
    expect(environmentAtLoad).not.toHaveProperty('VNT_FIXTURE_VARIABLE');
    await expect(host.invoke({ entry: RECORDS }, {})).resolves.toBe('worker-only');
  });

  it('refuses to start when a handler requires a variable its template does not set', async () => {
    const host = new FunctionHost();
    host.useEnvironments(environments(REQUIRES));

    await expect(host.preload([REQUIRES])).rejects.toThrow(
      `${REQUIRES} (Other) fails to load with its template's environment (VNT_FIXTURE_STAGE): Missing required environment variable VNT_FIXTURE_VARIABLE`,
    );
    expect(process.env.VNT_FIXTURE_VARIABLE).toBe('worker-only');
  });

  it('refuses a module no function of the app runs', async () => {
    const host = new FunctionHost();
    host.useEnvironments(environments(RECORDS));

    await expect(host.preload(['functions/api/not-deployed.ts'])).rejects.toThrow('No function of the synthesised app runs functions/api/not-deployed.ts');
  });

  it('is idle only once every invocation has ended, those its caller stopped waiting for included', async () => {
    const host = new FunctionHost();
    const slow = { entry: 'test/unit/local/fixtures/slow-handler.ts' };
    let ended = false;
    void host.invoke(slow, { ms: 150 }).then(() => (ended = true));
    void host.invoke(slow, { ms: 20 }).catch(() => undefined);

    await host.idle();

    expect(ended).toBe(true);
    await expect(Promise.race([host.idle().then(() => 'idle'), new Promise((r) => setTimeout(() => r('waiting'), 50))])).resolves.toBe('idle');
  });
});
