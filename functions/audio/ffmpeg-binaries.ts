import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ENV } from '../../lib/config/env-names';

/** Where the ffmpeg Lambda layer puts its static binary. */
export const LAYER_BIN_DIR = '/opt/bin';

/**
 * Finds the one ffmpeg that both probes and decodes (no ffprobe: a probe from another build is not a verdict on
 * what this one does). FFMPEG_PATH first, then the Lambda layer's /opt/bin/ffmpeg, then `ffmpeg` on PATH: the
 * local stack and the tests use the system's maintained build (Debian's `ffmpeg` package).
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ENV.ffmpegPath];
  if (fromEnv) return fromEnv;
  const candidates = [LAYER_BIN_DIR, ...(env.PATH ?? '').split(path.delimiter).filter(Boolean)].map((dir) => path.join(dir, 'ffmpeg'));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error(
    `ffmpeg not found: set ${ENV.ffmpegPath}, attach the ffmpeg layer (${LAYER_BIN_DIR}/ffmpeg), or install ffmpeg (Debian: apt-get install ffmpeg)`,
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
