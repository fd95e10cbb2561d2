import { describe, expect, it } from 'vitest';
import { ApertiumTranslator } from '../../../functions/translation/apertium-translator';
import { AwsTranslator } from '../../../functions/translation/aws-translator';
import { createTranslator } from '../../../functions/translation/engines';

describe('translation engine factory', () => {
  it('defaults to Amazon Translate', async () => {
    const { name, translator } = await createTranslator({ AWS_REGION: 'eu-west-1' });

    expect(name).toBe('aws');
    expect(translator).toBeInstanceOf(AwsTranslator);
  });

  it('TRANSLATION_ENGINE=local gives apertium', async () => {
    const { name, translator } = await createTranslator({ TRANSLATION_ENGINE: 'local' });

    expect(name).toBe('local');
    expect(translator).toBeInstanceOf(ApertiumTranslator);
  });

  it('rejects an unknown engine', async () => {
    await expect(createTranslator({ TRANSLATION_ENGINE: 'deepl' })).rejects.toThrow(/TRANSLATION_ENGINE must be one of aws, local/);
  });
});
