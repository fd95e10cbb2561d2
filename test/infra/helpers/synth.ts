import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STAGE_NAMES, type StageConfig, stageConfig, type StageName } from '../../../lib/config/stages';
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
  /** @default - environment-agnostic, as `cdk synth` without credentials */
  readonly env?: Environment;
}

export interface Synthesized {
  readonly deployment: Deployment;
  readonly stateful: Template;
  readonly stateless: Template;
}

function newApp(outdir?: string): App {
  // Bundling skipped: no esbuild per function, no npm pack for the ffmpeg layer — fast and offline.
  return new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }, outdir });
}

function deploy(app: App, options: SynthOptions): Deployment {
  return createDeployment(app, {
    stage: stageConfig(options.stage ?? 'dev', options.stageOverrides),
    serviceVersion: '0.0.0-test',
    webAssetsPath: options.webAssetsPath,
    env: options.env,
  });
}

function buildApp(options: SynthOptions, outdir?: string): { app: App; deployment: Deployment } {
  const app = newApp(outdir);
  return { app, deployment: deploy(app, options) };
}

function templatesOf(deployment: Deployment): Synthesized {
  return {
    deployment,
    stateful: Template.fromStack(deployment.stateful),
    stateless: Template.fromStack(deployment.stateless),
  };
}

/** Builds the real deployment (the same createDeployment bin/app.ts uses) and synthesises it. Once per file. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  return templatesOf(buildApp(options).deployment);
}

/** An account both stages are deployed to in `synthesizeStages`. */
export const SHARED_ACCOUNT: Environment = { account: '111111111111', region: 'eu-west-1' };

/**
 * Every stage, deployed side by side into ONE account (what an operator who keeps dev and prod together
 * gets), in one app synthesised once. Options per stage, e.g. a web build for one of them.
 */
export function synthesizeStages(
  options: Partial<Record<StageName, Omit<SynthOptions, 'stage' | 'env'>>> = {},
): Record<StageName, Synthesized> {
  const app = newApp();
  const deployments = STAGE_NAMES.map((stage) => deploy(app, { ...options[stage], stage, env: SHARED_ACCOUNT }));
  return Object.fromEntries(deployments.map((d, i) => [STAGE_NAMES[i], templatesOf(d)])) as Record<StageName, Synthesized>;
}

/** A stand-in for `npm run build:web` output, in a temp dir; `remove()` it after the tests. */
export function fakeWebBuild(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vnt-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(dir, 'assets', 'main-abc123.js'), 'console.log(1)');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

/**
 * Synthesises with cdk-nag's AwsSolutions pack registered exactly as bin/app.ts does and returns every
 * finding that is not acknowledged (errors and warnings alike), plus any unacknowledged construct warning.
 */
export function nagFindings(options: SynthOptions = {}): NagFinding[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'vnt-nag-'));
  try {
    const { app } = buildApp(options, outdir);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      const assembly = app.synth();
      // Construct annotations (CDK's own warnings) count too: they must be fixed or acknowledged.
      return assembly.stacks.flatMap((stack) =>
        stack.messages
          .filter((m) => m.level !== 'info')
          .map((m) => ({ rule: String(m.entry.data), severity: m.level, paths: [m.id] })),
      );
    } catch (error) {
      const report = path.join(outdir, 'validation-report.json');
      let json: string;
      try {
        json = readFileSync(report, 'utf8');
      } catch {
        throw error;
      }
      const parsed = JSON.parse(json) as {
        pluginReports: {
          violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
        }[];
      };
      return parsed.pluginReports.flatMap((p) =>
        p.violations.map((v) => ({
          rule: v.ruleName,
          severity: v.severity,
          paths: v.violatingConstructs.map((c) => c.constructPath),
        })),
      );
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
