import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, type WebBuildReport } from '../../../web/build';

describe('web build', () => {
  let outDir: string;
  let report: WebBuildReport;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'vnt-web-'));
    report = await buildWeb({ outDir, config: { apiBaseUrl: '/api', webSocketUrl: 'wss://ws.example.com/prod' } });
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('emits content-hashed, minified assets under assets/ and stable names for the rest', () => {
    const paths = report.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['index.html', 'sw.js', 'config.json']));
    const assets = paths.filter((p) => !['index.html', 'sw.js', 'config.json'].includes(p));
    for (const asset of assets) expect(asset).toMatch(/^assets\/[\w-]+-[A-Z0-9]{8}\.(js|css|svg)(\.map)?$/);
    expect(assets.some((p) => /^assets\/recorder-.*\.js$/.test(p))).toBe(true);
  });

  it('references the hashed entry script, stylesheet and preloaded chunks from index.html', async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const [js, ...rest] = report.firstLoad.paths.filter((p) => p.endsWith('.js'));
    const css = report.firstLoad.paths.find((p) => p.endsWith('.css'));
    expect(html).toContain(`<script type="module" src="${js}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${css}">`);
    for (const chunk of rest) expect(html).toContain(`<link rel="modulepreload" href="${chunk}">`);
    const favicon = report.firstLoad.paths.find((p) => p.endsWith('.svg'));
    expect(favicon).toMatch(/^assets\/favicon-[A-Z0-9]{8}\.svg$/);
    expect(html).toContain(`<link rel="icon" href="${favicon}" type="image/svg+xml">`);
    // The recorder is loaded on demand, not on first load.
    expect(report.firstLoad.paths.some((p) => p.includes('recorder'))).toBe(false);
    const script = await readFile(join(outDir, js!), 'utf8');
    expect(script.split('\n').length).toBeLessThanOrEqual(3);
  });

  it('writes the deployment config and a service worker that precaches the whole shell', async () => {
    expect(JSON.parse(await readFile(join(outDir, 'config.json'), 'utf8'))).toEqual({
      apiBaseUrl: '/api',
      webSocketUrl: 'wss://ws.example.com/prod',
    });
    const sw = await readFile(join(outDir, 'sw.js'), 'utf8');
    for (const path of ['./', 'config.json', ...report.files.map((f) => f.path).filter((p) => p.startsWith('assets/') && !p.endsWith('.map'))]) {
      expect(sw).toContain(JSON.stringify(path));
    }
    expect(sw).not.toContain('.map"');
  });

  it('renders the API reference beside the client, outside the shell the worker precaches', async () => {
    expect(report.apiReference.path).toBe('api.html');
    const page = await readFile(join(outDir, 'api.html'), 'utf8');
    expect(page).toContain('<title>Voice Note Translator API reference</title>');
    // The contract itself is in the page: the renderer needs no request to draw it.
    expect(page).toContain('Start a voice note and get a presigned upload');
    expect(await readFile(join(outDir, 'sw.js'), 'utf8')).not.toContain('api.html');
  });

  it('keeps the first load under the 50 KB compressed budget', () => {
    expect(report.firstLoad.gzipBytes).toBeLessThan(50 * 1024);
    expect(report.firstLoad.brotliBytes).toBeLessThan(report.firstLoad.gzipBytes);
  });
});
