import { AspectPriority, Aspects, type Environment, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { LogGroupPolicy } from '../constructs/log-group-policy';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface DeploymentProps {
  readonly stage: StageConfig;
  readonly serviceVersion: string;
  /** @default - environment-agnostic stacks (synth needs no account) */
  readonly env?: Environment;
  /** Built web client to upload. @default - none */
  readonly webAssetsPath?: string;
  /** npm pack cache for the ffmpeg layer. @default <repo>/.cache/ffmpeg-layer */
  readonly ffmpegCacheDir?: string;
}

export interface Deployment {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The two stacks of one stage, wired together. bin/app.ts and the infra tests both build the app through
 * this, so the tests check exactly what `cdk deploy` ships.
 */
export function createDeployment(scope: Construct, props: DeploymentProps): Deployment {
  const prefix = `VoiceNoteTranslator-${props.stage.name}`;
  const stateful = new StatefulStack(scope, `${prefix}-Stateful`, {
    env: props.env,
    stage: props.stage,
    description: `Voice Note Translator (${props.stage.name}): table, buckets, secrets — retained`,
  });
  const stateless = new StatelessStack(scope, `${prefix}-Stateless`, {
    env: props.env,
    stage: props.stage,
    description: `Voice Note Translator (${props.stage.name}): APIs, functions, workflow, CDN, dashboard`,
    serviceVersion: props.serviceVersion,
    stateful: stateful.exports,
    webAssetsPath: props.webAssetsPath,
    ffmpegCacheDir: props.ffmpegCacheDir,
  });
  // Imports by export name carry no token reference, so the deploy order is declared explicitly.
  stateless.node.addDependency(stateful);
  const logGroupPolicy = new LogGroupPolicy({ retention: props.stage.logRetention, removalPolicy: props.stage.logRemovalPolicy });
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('project', 'voice-note-translator');
    Tags.of(stack).add('stage', props.stage.name);
    Aspects.of(stack).add(logGroupPolicy, { priority: AspectPriority.MUTATING });
  }
  return { stateful, stateless };
}
