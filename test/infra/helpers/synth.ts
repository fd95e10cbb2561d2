import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type StageConfig, stageConfig, type StageName } from '../../../lib/config/stages';
import { createDeployment, type Deployment } from '../../../lib/stacks/deployment';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** cdk.json's context (feature flags), so tests synthesise with the same flags as `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  readonly stage?: StageName;
  readonly stageOverrides?: Partial<Pick<StageConfig, 'alarmEmail'>>;
  readonly webAssetsPath?: string;
  /** Run cdk-nag's AwsSolutions pack at synth. @default false */
  readonly nag?: boolean;
}

export interface Synthesized {
  readonly app: App;
  readonly deployment: Deployment;
  readonly stateful: Template;
  readonly stateless: Template;
}

/**
 * Builds the real deployment with asset bundling skipped (no esbuild, no npm pack: fast and offline) and
 * synthesises it once. Call it from `beforeAll`, one app per test file.
 */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    outdir: undefined,
  });
  const deployment = createDeployment(app, {
    stage: stageConfig(options.stage ?? 'dev', options.stageOverrides),
    serviceVersion: '0.0.0-test',
    webAssetsPath: options.webAssetsPath,
  });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return {
    app,
    deployment,
    stateful: Template.fromStack(deployment.stateful),
    stateless: Template.fromStack(deployment.stateless),
  };
}
