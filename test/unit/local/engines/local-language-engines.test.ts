import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { awsLanguageEngines, languageCatalog, setLanguageEnginesFactory } from '../../../../functions/languages/engines';
import { createTranscribeEngines, setSpeechEnginesFactory } from '../../../../functions/speech/engines';
import { createAmazonTranslator, setTranslatorFactory } from '../../../../functions/translation/engines';
import { installLocalEngines } from '../../../../local/engines/local-engines';
import { PocketsphinxRecognizer } from '../../../../local/engines/pocketsphinx-recognizer';

afterEach(() => {
  setSpeechEnginesFactory(createTranscribeEngines);
  setTranslatorFactory(createAmazonTranslator);
  setLanguageEnginesFactory(awsLanguageEngines);
});

describe('the local stack’s languages (real pocketsphinx model and apertium modes)', () => {
  it('are what the installed engines can do: English speech to the apertium targets, pivots through Spanish', async () => {
    installLocalEngines({ s3: new S3Client({}), onTranscribeJobStateChange: () => undefined });

    const { spoken, targets } = (await languageCatalog()).view();

    // The pairs `npm start` and CI install; a machine with more pairs offers more.
    const offered = ['ca', 'en', 'es', 'fr', 'it', 'pt', 'pt-PT'];
    expect(spoken).toEqual([{ language: 'en', targets: expect.arrayContaining(offered), via: expect.objectContaining({ fr: 'es', it: 'es', pt: 'es', 'pt-PT': 'es' }) }]);
    expect(spoken[0]?.via).not.toHaveProperty('es');
    expect(spoken[0]?.via).not.toHaveProperty('ca');
    expect(targets).toEqual(expect.arrayContaining(offered));
    expect(targets).not.toContain('ja');
  });

  it('pocketsphinx hears nothing without its model files', () => {
    expect(new PocketsphinxRecognizer().spokenLanguages()).toEqual(['en']);
    expect(new PocketsphinxRecognizer({ modelDir: '/nonexistent/model' }).spokenLanguages()).toEqual([]);
  });
});
