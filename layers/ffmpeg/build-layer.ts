import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Builds the ffmpeg layer content: static ffmpeg and ffprobe for linux-arm64, taken from the npm registry
 * packages below (the only source: no Docker, no download from anywhere else). Versions and SRI integrity
 * come from package-lock.json, so `npm ci` and the layer agree on exactly which bytes ship. The tarballs are
 * fetched once with `npm pack` into a cache directory and re-verified on every build.
 *
 * Output: `<outputDir>/bin/{ffmpeg,ffprobe}`, which Lambda mounts as `/opt/bin/...`.
 */
export const LAYER_BINARIES = [
  { packageName: '@ffmpeg-installer/linux-arm64', binary: 'ffmpeg' },
  { packageName: '@ffprobe-installer/linux-arm64', binary: 'ffprobe' },
] as const;

export interface BuildFfmpegLayerOptions {
  /** Where the layer content goes (CDK's bundling output directory). */
  readonly outputDir: string;
  /** npm pack cache; reused across builds. */
  readonly cacheDir: string;
  /** package-lock.json that pins versions and integrity. */
  readonly lockFile: string;
}

interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const EM_AARCH64 = 183;

export function buildFfmpegLayer(options: BuildFfmpegLayerOptions): void {
  mkdirSync(options.cacheDir, { recursive: true });
  const binDir = path.join(options.outputDir, 'bin');
  mkdirSync(binDir, { recursive: true });

  for (const { packageName, binary } of LAYER_BINARIES) {
    const locked = lockedPackage(options.lockFile, packageName);
    const tarball = fetchVerified(locked, options.cacheDir);
    const extractDir = mkdtempSync(path.join(options.cacheDir, 'extract-'));
    try {
      run('tar', ['-xzf', tarball, '-C', extractDir, `package/${binary}`]);
      const target = path.join(binDir, binary);
      copyFileSync(path.join(extractDir, 'package', binary), target);
      // ffprobe's tarball ships it without the executable bit.
      chmodSync(target, 0o755);
      assertArm64Elf(target);
    } finally {
      rmSync(extractDir, { recursive: true, force: true });
    }
  }
}

function lockedPackage(lockFile: string, name: string): LockedPackage {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) {
    throw new Error(`${name} is not pinned in ${lockFile}; run npm install so the lock file records it`);
  }
  return { name, version: entry.version, integrity: entry.integrity };
}

/** Returns the cached tarball if its bytes match the lock file; otherwise fetches it with `npm pack`. */
function fetchVerified(pkg: LockedPackage, cacheDir: string): string {
  const tarball = path.join(cacheDir, `${pkg.name.slice(1).replace('/', '-')}-${pkg.version}.tgz`);
  if (existsSync(tarball) && sri(tarball) === pkg.integrity) {
    return tarball;
  }
  const packed = run('npm', ['pack', `${pkg.name}@${pkg.version}`, '--json', '--pack-destination', cacheDir]);
  const [report] = JSON.parse(packed) as [{ filename: string; integrity: string }];
  if (report.integrity !== pkg.integrity) {
    throw new Error(`npm pack ${pkg.name}@${pkg.version}: integrity ${report.integrity} != locked ${pkg.integrity}`);
  }
  const fetched = path.join(cacheDir, report.filename);
  // Check the bytes on disk too, not only npm's report of them.
  if (sri(fetched) !== pkg.integrity) {
    rmSync(fetched, { force: true });
    throw new Error(`${fetched} does not match the locked integrity ${pkg.integrity}`);
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
