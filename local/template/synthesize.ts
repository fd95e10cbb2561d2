import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { CfnElement } from 'aws-cdk-lib';
import { LOCAL } from '../config';
import type { CfnTemplate } from '../workflow';

/** The version /health reports: the package's, marked as the local stack's. */
const SERVICE_VERSION = `${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}-local`;

export interface SynthesizedApp {
  /** Every stack's CloudFormation template. */
  readonly templates: readonly CfnTemplate[];
  /** Logical ids of the stateful resources the local stack stands in for with fixed local names. */
  readonly logicalIds: {
    readonly table: string;
    readonly uploadsBucket: string;
    readonly workBucket: string;
    readonly cursorSecret: string;
  };
}

/**
 * Synthesises the CDK app in-process, through the same `createDeployment` bin/app.ts uses, with asset
 * bundling skipped (the handlers run from source here, so neither esbuild nor the ffmpeg layer build is
 * needed) and without CDK's built-in CloudFormation schema validation.
 */
export async function synthesizeApp(): Promise<SynthesizedApp> {
  // Imported on demand: aws-cdk-lib is large and only needed for this one step.
  const [{ App }, { createDeployment }, { stageConfig }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../lib/stacks/deployment'),
    import('../../lib/config/stages'),
  ]);
  // The templates are only read here: schema validation is the job of `cdk synth` and the infra tests (~4 s).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const { stateful, stateless } = createDeployment(app, { stage: stageConfig(LOCAL.templateStage), serviceVersion: SERVICE_VERSION });
  const assembly = app.synth();
  const logicalId = (resource: { node: { defaultChild?: unknown } }) =>
    // `logicalId` (not getLogicalId) honours overrideLogicalId, which pins the stateful resources' ids.
    stateful.resolve((resource.node.defaultChild as CfnElement).logicalId) as string;
  const templates = [stateful, stateless].map((stack) => assembly.getStackByName(stack.stackName).template as CfnTemplate);
  // The cloud assembly (a cdk.out in the temporary directory) is read: every start used to leave one behind.
  await rm(assembly.directory, { recursive: true, force: true });
  return {
    templates,
    logicalIds: {
      table: logicalId(stateful.table),
      uploadsBucket: logicalId(stateful.uploadsBucket),
      workBucket: logicalId(stateful.workBucket),
      cursorSecret: logicalId(stateful.cursorSecret),
    },
  };
}
