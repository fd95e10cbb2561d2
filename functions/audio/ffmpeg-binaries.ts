import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ENV } from '../../lib/config/env-names';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

/** Where the ffmpeg Lambda layer puts its static binaries. */
export const LAYER_BIN_DIR = '/opt/bin';

/**
 * Finds ffmpeg/ffprobe: explicit env (FFMPEG_PATH/FFPROBE_PATH) first, then the Lambda layer's /opt/bin,
 * then the static binaries from the npm installer packages (local stack and tests). The npm packages are
 * resolved from the working directory at runtime on purpose, so esbuild never pulls them into a Lambda bundle.
 */
export function resolveFfmpegBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  return {
    ffmpeg: resolveBinary('ffmpeg', env[ENV.ffmpegPath], '@ffmpeg-installer/ffmpeg'),
    ffprobe: resolveBinary('ffprobe', env[ENV.ffprobePath], '@ffprobe-installer/ffprobe'),
  };
}

function resolveBinary(name: 'ffmpeg' | 'ffprobe', fromEnv: string | undefined, npmPackage: string): string {
  if (fromEnv) return fromEnv;
  const inLayer = path.join(LAYER_BIN_DIR, name);
  if (existsSync(inLayer)) return inLayer;
  try {
    const requireFromCwd = createRequire(path.join(process.cwd(), 'package.json'));
    const installer = requireFromCwd(npmPackage) as { path: string };
    return installer.path;
  } catch {
    throw new Error(
      `${name} not found: set ${name === 'ffmpeg' ? ENV.ffmpegPath : ENV.ffprobePath}, attach the ffmpeg layer (${inLayer}), or install ${npmPackage}`,
    );
  }
}
