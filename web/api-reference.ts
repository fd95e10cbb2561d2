/**
 * The API reference page (api.html next to the web client): Redocly's `build-docs` renders docs/openapi.json
 * into one HTML file with the renderer inlined, so it needs no CDN and opens offline. Rendering takes seconds,
 * so the page is cached in .cache/ by the hash of everything that shapes it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OPENAPI_JSON = join(REPO_ROOT, 'docs', 'openapi.json');
const REDOCLY_CONFIG = join(REPO_ROOT, 'redocly.yaml');
const TEMPLATE = join(REPO_ROOT, 'web', 'api-reference.hbs');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'api-reference');

/** Where the page is served from: `<web root>/api.html` (the local stack and CloudFront serve web/dist). */
export const API_REFERENCE_PATH = 'api.html';

const BUILD_DOCS_ARGS = [
  // The renderer in the page itself, not fetched from Redocly's CDN.
  '--inlineBundle',
  // Redoc's page would otherwise send usage traces to Redocly from every reader's browser.
  '--openapi.disableTelemetry=true',
  '--title=Voice Note Translator API reference',
  // Redocly's page with a Content-Security-Policy: nothing but this origin, whatever the renderer tries.
  `--template=${TEMPLATE}`,
];

/**
 * Runs Redocly CLI (the dev dependency, on this Node) with the repository's redocly.yaml, offline: no usage
 * reports (also off in redocly.yaml) and no update check.
 */
export async function runRedocly(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  return execFileAsync(process.execPath, [cli, ...args, `--config=${REDOCLY_CONFIG}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Writes the API reference page to `outFile`, from the cache when nothing that shapes it has changed. */
export async function buildApiReference(outFile: string): Promise<{ readonly cached: boolean }> {
  const cliVersion = (JSON.parse(await readFile(createRequire(import.meta.url).resolve('@redocly/cli/package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256')
    .update(await readFile(OPENAPI_JSON))
    .update(await readFile(REDOCLY_CONFIG))
    .update(await readFile(TEMPLATE))
    .update(JSON.stringify([cliVersion, BUILD_DOCS_ARGS]))
    .digest('hex')
    .slice(0, 16);
  const cached = join(CACHE_DIR, `${hash}.html`);
  const hit = await access(cached).then(
    () => true,
    () => false,
  );
  if (!hit) {
    await mkdir(CACHE_DIR, { recursive: true });
    // Pages of older documents are never used again (this one may be a concurrent build's: kept).
    for (const name of await readdir(CACHE_DIR)) {
      if (name.endsWith('.html') && name !== basename(cached)) await rm(join(CACHE_DIR, name), { force: true });
    }
    // Written aside and renamed, so a concurrent build never copies half a page.
    const partial = `${cached}.${process.pid}.partial`;
    try {
      await runRedocly(['build-docs', OPENAPI_JSON, `--output=${partial}`, ...BUILD_DOCS_ARGS]);
      await rename(partial, cached);
    } finally {
      await rm(partial, { force: true });
    }
  }
  await copyFile(cached, outFile);
  return { cached: hit };
}
