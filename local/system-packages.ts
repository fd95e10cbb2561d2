import { spawn, spawnSync } from 'node:child_process';

/**
 * Debian packages behind the local engines: ffmpeg (the normaliser's decoder: Debian's maintained build, the
 * same one probing and decoding), pocketsphinx (speech, with its US English model) and apertium with the pairs
 * that take English speech to es and ca directly and to fr, pt, pt-PT and it through Spanish (README, "Local
 * languages"). Each pair's modes are discovered at start: adding a pair here is all it takes to offer more.
 */
export const LOCAL_ENGINE_PACKAGES = [
  'ffmpeg',
  'pocketsphinx',
  'pocketsphinx-en-us',
  'apertium',
  'apertium-eng-spa',
  'apertium-eng-cat',
  'apertium-fr-es',
  'apertium-es-pt',
  'apertium-spa-ita',
] as const;

export interface PackageCheck {
  readonly missing: readonly string[];
  /** How they were (or can be) installed, for the start banner. */
  readonly note?: string;
}

/** Installed packages by dpkg's database; on a system without dpkg, by the engines' commands on PATH. */
export function missingPackages(packages: readonly string[] = LOCAL_ENGINE_PACKAGES): string[] {
  if (hasCommand('dpkg-query')) {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...packages], {
      encoding: 'utf8',
    });
    const installed = new Set(
      result.stdout
        .split('\n')
        .filter((line) => line.endsWith(' installed'))
        .map((line) => line.split(' ')[0]),
    );
    return packages.filter((name) => !installed.has(name));
  }
  const commands: Record<string, string> = { ffmpeg: 'ffmpeg', pocketsphinx: 'pocketsphinx_continuous', apertium: 'apertium' };
  return packages.filter((name) => commands[name] !== undefined && !hasCommand(commands[name]!));
}

/**
 * Installs the missing engine packages when this process may (root with apt-get); otherwise reports them in
 * one line and lets the stack start anyway: everything but speech/translation works, and notes fail with a
 * clear code instead of a wrong answer.
 */
export async function ensureEnginePackages(log: (line: string) => void): Promise<PackageCheck> {
  const missing = missingPackages();
  if (missing.length === 0) return { missing };
  const canInstall = process.getuid?.() === 0 && hasCommand('apt-get');
  if (!canInstall) {
    log(
      `Missing Debian packages for the local engines: ${missing.join(' ')} ` +
        `(install: sudo apt-get install -y ${missing.join(' ')}); starting without them.`,
    );
    return { missing, note: 'not installed' };
  }
  log(`Installing ${missing.join(' ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok =
    (await run('apt-get', ['update', '-qq'], env)) &&
    (await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], env));
  const stillMissing = missingPackages();
  if (!ok || stillMissing.length > 0) {
    log(`Could not install ${stillMissing.join(' ')}; starting without them.`);
  }
  return { missing: stillMissing, note: ok ? 'installed' : 'apt-get failed' };
}

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}
