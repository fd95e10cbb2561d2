/**
 * What a web build was made from, so `npm start` and `cdk synth` can tell a current web/dist from a missing or
 * stale one without rebuilding: every file esbuild read, the build script itself, the esbuild version and the
 * written config, each file by content hash (mtimes lie after a checkout or a copy). Kept in the build's own
 * directory, which the CDN upload excludes.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The manifest's name in the output directory. Not part of the site: the CDN upload leaves it out. */
export const BUILD_INPUTS_FILE = '.build-inputs.json';

/** Paths in the manifest are relative to the repository root, so a moved checkout keeps its build current. */
const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface BuildInputs {
  /** esbuild's version: another version may bundle differently. */
  readonly bundler: string;
  /** The config.json the build wrote, as JSON. */
  readonly config: string;
  /** Repository-relative path → SHA-256 of the content. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Hashes `paths` (absolute, or relative to the working directory as esbuild's metafile gives them); esbuild's
 * virtual inputs (`<define:…>`, `<stdin>`) are not files and are left out.
 */
export async function describeBuildInputs(paths: Iterable<string>, bundler: string, config: unknown): Promise<BuildInputs> {
  const files = [...paths].filter((path) => !path.startsWith('<'));
  const unique = [...new Set(files.map((path) => relative(REPO_ROOT, resolve(path))))].sort();
  const hashes = await Promise.all(unique.map(async (path) => [path, await hashOf(join(REPO_ROOT, path))] as const));
  return { bundler, config: JSON.stringify(config), files: Object.fromEntries(hashes) };
}

export async function writeBuildInputs(outDir: string, inputs: BuildInputs): Promise<void> {
  await writeFile(join(outDir, BUILD_INPUTS_FILE), `${JSON.stringify(inputs, null, 2)}\n`);
}

/**
 * Why the build in `outDir` must be made again (missing, from other sources, another bundler or another
 * config), in words for the console; undefined when it is current.
 */
export async function staleBuildReason(outDir: string, expected: { bundler: string; config: unknown }): Promise<string | undefined> {
  const where = relative(process.cwd(), outDir) || outDir;
  let recorded: BuildInputs;
  try {
    recorded = JSON.parse(await readFile(join(outDir, BUILD_INPUTS_FILE), 'utf8')) as BuildInputs;
    await readFile(join(outDir, 'index.html'));
  } catch {
    return `no complete build in ${where}`;
  }
  if (recorded.bundler !== expected.bundler) return `esbuild ${recorded.bundler} → ${expected.bundler}`;
  if (recorded.config !== JSON.stringify(expected.config)) return 'another config.json';
  for (const [path, hash] of Object.entries(recorded.files ?? {})) {
    const current = await hashOf(join(REPO_ROOT, path)).catch(() => undefined);
    if (current !== hash) return `${path} ${current === undefined ? 'is gone' : 'changed'}`;
  }
  return Object.keys(recorded.files ?? {}).length === 0 ? `no sources recorded in ${where}` : undefined;
}

async function hashOf(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}
