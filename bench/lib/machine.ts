import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolveFfmpeg } from '../../functions/audio/ffmpeg-binaries';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly ffmpeg: string;
  readonly loadAverageAtStart: readonly number[];
  readonly gitCommit: string;
  readonly gitDirty: boolean;
}

function tryExec(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** Facts that make the numbers comparable: on another machine only the ratios should be read. */
export function machineInfo(): MachineInfo {
  let ffmpeg = 'unknown';
  try {
    ffmpeg = tryExec(resolveFfmpeg(), ['-version']).split('\n')[0] ?? 'unknown';
  } catch {
    // reported as unknown
  }
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: osName(),
    kernel: os.release(),
    node: process.version,
    ffmpeg,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    gitCommit: tryExec('git', ['rev-parse', '--short', 'HEAD']),
    gitDirty: tryExec('git', ['status', '--porcelain']).length > 0,
  };
}
