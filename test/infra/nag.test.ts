import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nagFindings } from './helpers/synth';

let webDist: string;

beforeAll(() => {
  webDist = mkdtempSync(path.join(tmpdir(), 'vnt-web-'));
  mkdirSync(path.join(webDist, 'assets'));
  writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>t</title>');
});

afterAll(() => rmSync(webDist, { recursive: true, force: true }));

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
    expect(nagFindings({ stage: 'prod', webAssetsPath: webDist })).toEqual([]);
  });
});
