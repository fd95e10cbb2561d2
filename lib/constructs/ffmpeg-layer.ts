import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildFfmpegLayer } from '../../layers/ffmpeg/build-layer';
import { PROJECT_ROOT } from './service-function';

const LAYER_SOURCE = path.join(PROJECT_ROOT, 'layers', 'ffmpeg');
const BUILD_SCRIPT = path.join(LAYER_SOURCE, 'build-layer.ts');

export interface FfmpegLayerProps {
  /** npm pack cache directory. @default <repo>/.cache/ffmpeg-layer */
  readonly cacheDir?: string;
}

/**
 * Lambda layer with one static ffmpeg for arm64, which both probes and decodes (see layers/ffmpeg/README.md).
 * Built by local bundling from a pinned npm registry tarball; when a test synthesises with bundling skipped,
 * nothing is fetched.
 */
export class FfmpegLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string, props: FfmpegLayerProps = {}) {
    super(scope, id);
    const cacheDir = props.cacheDir ?? path.join(PROJECT_ROOT, '.cache', 'ffmpeg-layer');

    this.layer = new LayerVersion(this, 'Layer', {
      description: 'Static ffmpeg 4.2.1 (linux-arm64) in /opt/bin',
      compatibleArchitectures: [Architecture.ARM_64],
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      code: Code.fromAsset(LAYER_SOURCE, {
        // The content is a function of the build script (which pins the tarball), not of the source folder.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: contentHash(),
        bundling: {
          // Required by the API but never used: local bundling either builds the layer or throws.
          image: DockerImage.fromRegistry('scratch'),
          local: {
            tryBundle(outputDir: string): boolean {
              buildFfmpegLayer({ outputDir, cacheDir });
              return true;
            },
          },
        },
      }),
    });
  }
}

function contentHash(): string {
  return createHash('sha256').update(readFileSync(BUILD_SCRIPT)).digest('hex');
}
