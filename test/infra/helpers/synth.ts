import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
}

export interface Synthesized {
  readonly deployment: Deployment;
  readonly stateful: Template;
  readonly stateless: Template;
}

function buildApp(options: SynthOptions, outdir?: string): { app: App; deployment: Deployment } {
  // Bundling skipped: no esbuild per function, no npm pack for the ffmpeg layer — fast and offline.
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }, outdir });
  const deployment = createDeployment(app, {
    stage: stageConfig(options.stage ?? 'dev', options.stageOverrides),
    serviceVersion: '0.0.0-test',
    webAssetsPath: options.webAssetsPath,
  });
  return { app, deployment };
}

/** Builds the real deployment (the same createDeployment bin/app.ts uses) and synthesises it. Once per file. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const { deployment } = buildApp(options);
  return {
    deployment,
    stateful: Template.fromStack(deployment.stateful),
    stateless: Template.fromStack(deployment.stateless),
  };
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
