import { describe, expect, it } from 'vitest';
import { handlerEnvironments } from '../../../local/lambda/handler-environment';
import { TemplateEnvironmentError, type FunctionEnvironment } from '../../../local/template/template-environment';

const runtime = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' };
const processWide = { POWERTOOLS_SERVICE_NAME: 'vnt-local', POWERTOOLS_LOG_LEVEL: 'WARN' };

function fn(logicalId: string, variables: Record<string, string>): FunctionEnvironment {
  return { function: { logicalId, entry: `functions/${logicalId}.ts` }, variables };
}

describe('the handlers’ environment in the one local process', () => {
  it('gives each module its own template variables and every handler the agreed union with the local ones', () => {
    const environments = handlerEnvironments(
      [
        fn('Api', { TABLE_NAME: 'vnt-local', SERVICE_VERSION: '1.0.0-local', POWERTOOLS_SERVICE_NAME: 'vnt-api' }),
        fn('Worker', { TABLE_NAME: 'vnt-local', WORK_BUCKET: 'work', POWERTOOLS_SERVICE_NAME: 'vnt-pipeline' }),
      ],
      { runtime, processWide },
    );

    expect(environments.byEntry.get('functions/Api.ts')?.variables).toEqual({ TABLE_NAME: 'vnt-local', SERVICE_VERSION: '1.0.0-local' });
    expect(environments.byEntry.get('functions/Worker.ts')?.variables).toEqual({ TABLE_NAME: 'vnt-local', WORK_BUCKET: 'work' });
    expect(environments.shared).toEqual({
      TABLE_NAME: 'vnt-local',
      SERVICE_VERSION: '1.0.0-local',
      WORK_BUCKET: 'work',
      ...runtime,
      ...processWide,
    });
    expect([...environments.templateVariables].sort()).toEqual(['SERVICE_VERSION', 'TABLE_NAME', 'WORK_BUCKET']);
  });

  it('refuses two functions whose templates give a variable different values', () => {
    const start = () =>
      handlerEnvironments([fn('Api', { TABLE_NAME: 'vnt-local' }), fn('Worker', { TABLE_NAME: 'other-table' }), fn('Watchdog', { TABLE_NAME: 'vnt-local' })], {
        runtime,
        processWide,
      });

    expect(start).toThrow(TemplateEnvironmentError);
    expect(start).toThrow('the templates give TABLE_NAME different values (Api, Watchdog "vnt-local"; Worker "other-table")');
  });

  it('refuses a local variable that gives a template’s variable another value', () => {
    const start = () => handlerEnvironments([fn('Api', { AWS_REGION: 'eu-west-1' })], { runtime, processWide });

    expect(start).toThrow('Api set AWS_REGION to "eu-west-1", but the local stack sets it to "us-east-1"');
  });
});
