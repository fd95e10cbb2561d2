import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { isStageName, STAGE_NAMES, stageConfig } from '../lib/config/stages';
import { createDeployment } from '../lib/stacks/deployment';
import { ensureWebBuild } from '../web/build';

/**
 * The CDK app: the only place that reads context (`-c stage=dev|prod`, `-c alarmEmail=ops@example.com`) and
 * the environment (CDK_DEFAULT_ACCOUNT/REGION, unset offline: the stacks are then environment-agnostic).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const app = new App();

const stageName: unknown = app.node.tryGetContext('stage') ?? 'dev';
if (!isStageName(stageName)) {
  throw new Error(`Unknown stage ${String(stageName)}; use -c stage=${STAGE_NAMES.join('|')}`);
}
const alarmEmail: unknown = app.node.tryGetContext('alarmEmail');
// A deploy uploads the web client of the sources being deployed: built here when missing or stale (a failed
// build fails the synth), never shipped out of date.
const web = await ensureWebBuild({ outDir: path.join(root, 'web', 'dist') });
if (web.status === 'built') console.error(`Built the web client into ${web.outDir} in ${web.ms} ms (${web.reason}).`);
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

createDeployment(app, {
  stage: stageConfig(stageName, { alarmEmail: typeof alarmEmail === 'string' ? alarmEmail : undefined }),
  serviceVersion: version,
  env: account && region ? { account, region } : undefined,
  webAssetsPath: web.outDir,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
