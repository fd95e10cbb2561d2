// Plain JavaScript on purpose: it runs before `npm install` may have happened (as `prestart`), on whatever
// Node is on PATH, so it can neither use tsx nor import project code.
// Installs the npm dependencies when any declared package is missing from node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
const missing = declared.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));

if (missing.length > 0) {
  console.log(`Installing npm dependencies (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ')})…`);
  const lockfile = existsSync(join(root, 'package-lock.json'));
  const result = spawnSync('npm', [lockfile ? 'ci' : 'install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
