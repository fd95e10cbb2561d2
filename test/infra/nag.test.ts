import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeWebBuild, nagFindings } from './helpers/synth';

let webBuild: ReturnType<typeof fakeWebBuild>;

beforeAll(() => {
  webBuild = fakeWebBuild();
});

afterAll(() => webBuild.remove());

/**
 * cdk-nag's AwsSolutions pack, registered exactly as bin/app.ts does: every finding is either fixed or
 * acknowledged next to the resource with a reason. dev without a web build; prod with one (the bucket
 * deployment brings its own provider), since prod also differs in protection and retention.
 */
describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged for dev (no web build)', () => {
    expect(nagFindings({ stage: 'dev' })).toEqual([]);
  });

  it('reports nothing unacknowledged for prod with the web client deployed', () => {
    expect(nagFindings({ stage: 'prod', webAssetsPath: webBuild.dir })).toEqual([]);
  });
});
