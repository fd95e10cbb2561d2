import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINE_PACKAGES } from '../../../local/system-packages';

/** CI installs the engines' packages before `npm ci`, so .ci/run reads the list with sed: it must read all of it. */
describe('.ci/engine-packages', () => {
  it('prints exactly LOCAL_ENGINE_PACKAGES, the list npm start installs', () => {
    const printed = execFileSync(path.resolve(import.meta.dirname, '../../../.ci/engine-packages'), { encoding: 'utf8' });
    expect(printed.trim().split('\n')).toEqual([...LOCAL_ENGINE_PACKAGES]);
  });
});
