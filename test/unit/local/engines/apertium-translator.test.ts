import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApertiumTranslator, TRANSLATION_FAILED_MESSAGE } from '../../../../local/engines/apertium-translator';
import type { TextTranslationCache } from '../../../../functions/translation/text-translation-cache';
import { TranslationService } from '../../../../functions/translation/translation-service';
import { GOFORWARD_TEXT } from '../../../helpers/audio-fixtures';

const apertium = new ApertiumTranslator();

describe('ApertiumTranslator (real apertium and the pairs `npm start` installs)', () => {
  it('discovers the installed routes from the modes directory, pivoting through Spanish where no pair exists', () => {
    const fromEnglish = apertium.routes().filter((route) => route.source === 'en');

    expect(fromEnglish).toEqual(
      expect.arrayContaining([
        { source: 'en', target: 'es' },
        { source: 'en', target: 'ca' },
        { source: 'en', target: 'fr', via: 'es' },
        { source: 'en', target: 'pt', via: 'es' },
        { source: 'en', target: 'pt-PT', via: 'es' },
        { source: 'en', target: 'it', via: 'es' },
      ]),
    );
    expect(apertium.supports('es', 'en')).toBe(true);
    expect(apertium.supports('es-MX', 'en')).toBe(true); // a regional source reads as its language
    expect(apertium.supports('en', 'es-MX')).toBe(false); // no Mexican Spanish generator: not offered
    expect(apertium.supports('en', 'ja')).toBe(false);
  });

  it.each([
    ['fr', /dix mètres/i], // through Spanish
    ['ca', /deu metres/i], // direct
  ] as const)('translates the goforward transcript into %s', async (target, words) => {
    await expect(apertium.translate(GOFORWARD_TEXT, 'en', target)).resolves.toMatch(words);
  });

  it('tells Brazilian from European Portuguese (Amazon Translate’s pt and pt-PT)', async () => {
    const text = 'The bus and the train.';

    await expect(apertium.translate(text, 'en', 'pt')).resolves.toMatch(/ônibus.*trem/);
    await expect(apertium.translate(text, 'en', 'pt-PT')).resolves.toMatch(/autocarro.*comboio/);
  });

  it('translates the goforward transcript into Spanish', async () => {
    const spanish = await apertium.translate(GOFORWARD_TEXT, 'en', 'es');

    // apertium-eng-spa 0.8.1 says "Va de frente diez metros"; assert on the words any version keeps.
    expect(spanish).toMatch(/\bdiez\b/i);
    expect(spanish).toMatch(/\bmetros\b/i);
    expect(spanish).not.toMatch(/\bten\b|\bmeters\b/i);
  });

  it('drops apertium’s * marks on unknown words and keeps paragraphs', async () => {
    const spanish = await apertium.translate('The glorp is blue.\n\nThe house is big.', 'en', 'es');

    expect(spanish).not.toContain('*');
    expect(spanish).toMatch(/glorp/);
    expect(spanish).toMatch(/azul[\s\S]*\n\n[\s\S]*casa/);
  });

  it('translates Spanish into English', async () => {
    await expect(apertium.translate('La casa es grande.', 'es', 'en')).resolves.toMatch(/house/i);
  });

  it('drops unknown-word marks through a pivot too', async () => {
    const french = await apertium.translate('The glorp is blue.\n\nThe house is big.', 'en', 'fr');

    expect(french).not.toContain('*');
    expect(french).toMatch(/glorp[\s\S]*\n\n[\s\S]*maison/);
  });

  it('an uninstalled pair is UNSUPPORTED_LANGUAGE_PAIR, without naming the engine', async () => {
    const error = await apertium.translate('hello', 'en', 'ja').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'UNSUPPORTED_LANGUAGE_PAIR' });
    expect((error as Error).message).not.toMatch(/apertium/i);
  });

  it('a missing binary is an INTERNAL_ERROR whose details (logged) name the Debian packages, and whose message no engine', async () => {
    const missing = new ApertiumTranslator({ binary: '/nonexistent/apertium' });

    const error = await missing.translate('hello', 'en', 'es').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', details: { install: expect.stringContaining('apt-get install apertium') } });
    expect((error as Error).message).not.toMatch(/apertium/i);
  });

  it('a translator that fails is TRANSLATION_FAILED in the product’s words; the detail is in details', async () => {
    const failing = new ApertiumTranslator({ binary: 'false' });

    const error = await failing.translate('hello', 'en', 'es').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'TRANSLATION_FAILED', message: TRANSLATION_FAILED_MESSAGE, details: { exit: 1 } });
    expect((error as Error).message).not.toMatch(/apertium/i);
  });

  it('works behind TranslationService with any cache', async () => {
    const noCache: TextTranslationCache = { get: async () => undefined, put: async () => undefined };

    const outcome = await new TranslationService(apertium, noCache).translate({ text: GOFORWARD_TEXT, source: 'en', target: 'es' });

    expect(outcome.translatedText).toMatch(/diez metros/);
    expect(outcome.cacheHit).toBe(false);
  });
});

describe('apertium route discovery from a modes directory', () => {
  let modesDir: string;
  beforeAll(async () => {
    modesDir = await mkdtemp(path.join(tmpdir(), 'vnt-modes-'));
    for (const file of ['eng-spa.mode', 'spa-eng.mode', 'es-fr.mode', 'eng-spa-tagger.mode', 'README', 'fr-es.mode.bak']) {
      await writeFile(path.join(modesDir, file), '');
    }
  });
  afterAll(async () => {
    await rm(modesDir, { recursive: true, force: true });
  });

  it('reads the .mode files (what `apertium -l` lists) and routes through them', () => {
    const translator = new ApertiumTranslator({ modesDir });

    expect(translator.routes()).toEqual([
      { source: 'en', target: 'es' },
      { source: 'en', target: 'fr', via: 'es' },
      { source: 'es', target: 'en' },
      { source: 'es', target: 'fr' },
    ]);
    expect(translator.supports('en', 'fr')).toBe(true);
  });

  it('no modes directory means no routes (and a clear failure at translate time)', () => {
    expect(new ApertiumTranslator({ modesDir: '/nonexistent' }).routes()).toEqual([]);
  });
});
