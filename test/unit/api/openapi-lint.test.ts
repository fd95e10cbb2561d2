/**
 * Redocly CLI (an independent OpenAPI linter) judges docs/openapi.json with the rules in redocly.yaml: the
 * contract must be clean, warnings included. Offline: runRedocly turns its telemetry and update check off.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOpenApiJson } from '../../../functions/api/openapi/write-openapi';
import { runRedocly } from '../../../web/api-reference';

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number; readonly ignored: number };
  readonly problems: readonly { readonly ruleId: string; readonly message: string; readonly location: readonly { readonly pointer: string }[] }[];
}

async function lint(file: string): Promise<LintReport> {
  // Redocly exits 1 when it finds errors; the JSON report is on stdout either way.
  const { stdout } = await runRedocly(['lint', file, '--format=json']).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout) as LintReport;
}

const describeProblems = (report: LintReport) => report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-redocly-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Redocly lint', () => {
  it('finds no error and no warning in docs/openapi.json', async () => {
    const report = await lint('docs/openapi.json');
    expect(describeProblems(report)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  }, 60_000);

  it('applies the rules redocly.yaml adds: it reports what the contract promises and a document lacks', async () => {
    const document = JSON.parse(renderOpenApiJson());
    document.info.license = { name: 'Apache-2.0' }; // no SPDX identifier or URL
    delete document.tags[0].description;
    delete document.paths['/usage'].get.responses['429'].headers;
    document.paths['/health'].get.responses = { 200: document.paths['/health'].get.responses['200'] };
    document.paths['/jobs'].get.parameters[0].description = undefined;
    const broken = path.join(dir, 'openapi.json');
    await writeFile(broken, JSON.stringify(document));

    const rules = new Set((await lint(broken)).problems.map((p) => p.ruleId));
    expect([...rules].sort()).toEqual(
      ['info-license-strict', 'operation-4xx-response', 'parameter-description', 'response-contains-header', 'tag-description'].sort(),
    );
  }, 60_000);
});
