import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { isStageName, STAGE_NAMES, stageConfig } from '../lib/config/stages';
import { createDeployment } from '../lib/stacks/deployment';

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
const webDist = path.join(root, 'web', 'dist');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

createDeployment(app, {
  stage: stageConfig(stageName, { alarmEmail: typeof alarmEmail === 'string' ? alarmEmail : undefined }),
  serviceVersion: version,
  env: account && region ? { account, region } : undefined,
  // Without a build the distribution is created empty; run `npm run build:web` and deploy again.
  webAssetsPath: existsSync(path.join(webDist, 'index.html')) ? webDist : undefined,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
