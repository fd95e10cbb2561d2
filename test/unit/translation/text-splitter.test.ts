import { describe, expect, it } from 'vitest';
import { joinTranslations, splitForTranslation } from '../../../functions/translation/text-splitter';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('splitForTranslation', () => {
  it.each([
    { name: 'empty text', text: '', max: 100, expected: [] },
    { name: 'text within the limit stays whole', text: 'One. Two. Three.', max: 100, expected: ['One. Two. Three.'] },
    { name: 'packs whole sentences greedily', text: 'One two. Three four. Five six.', max: 21, expected: ['One two. Three four. ', 'Five six.'] },
    { name: 'a sentence over the limit splits at words', text: 'alpha beta gamma delta epsilon', max: 12, expected: ['alpha beta ', 'gamma delta ', 'epsilon'] },
    { name: 'a word over the limit splits at code points', text: 'abcdefghij', max: 4, expected: ['abcd', 'efgh', 'ij'] },
    { name: 'multi-byte characters are never cut in half', text: 'ééééé', max: 4, expected: ['éé', 'éé', 'é'] },
    { name: 'Spanish punctuation', text: '¿Qué tal? ¡Muy bien! Gracias.', max: 15, expected: ['¿Qué tal? ', '¡Muy bien! ', 'Gracias.'] },
    { name: 'Japanese sentences', text: '今日は晴れです。明日は雨です。', max: 24, expected: ['今日は晴れです。', '明日は雨です。'] },
  ])('$name', ({ text, max, expected }) => {
    expect(splitForTranslation(text, max)).toEqual(expected);
  });

  it('is lossless, ordered and within the byte limit for random text (seeded property test)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const words = ['a', 'voice', 'note', 'translation', 'ñandú', 'über', '東京', '🙂', 'supercalifragilisticexpialidocious', 'x'.repeat(60)];
    const ends = ['. ', '! ', '? ', ', ', ' ', '\n\n', '。'];
    for (let run = 0; run < 300; run++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let i = 0; i < length; i++) text += words[Math.floor(random() * words.length)]! + ends[Math.floor(random() * ends.length)]!;
      const max = 4 + Math.floor(random() * 120);

      const pieces = splitForTranslation(text, max);

      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) {
        expect(bytes(piece)).toBeLessThanOrEqual(max);
        expect(piece).not.toBe('');
      }
    }
  });

  it('cuts only at sentence ends when every sentence fits', () => {
    const sentences = Array.from({ length: 50 }, (_, i) => `Sentence number ${i} is here. `);
    const pieces = splitForTranslation(sentences.join(''), 200);

    for (const piece of pieces) expect(piece.endsWith('here. ')).toBe(true);
    expect(pieces.length).toBeGreaterThan(5);
  });

  it('a 30 KB sentence without a full stop splits at word boundaries under the Translate limit', () => {
    const giant = Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ');

    const pieces = splitForTranslation(giant, 9000);

    expect(pieces.join('')).toBe(giant);
    for (const piece of pieces) {
      expect(bytes(piece)).toBeLessThanOrEqual(9000);
      expect(piece).toMatch(/^word\d+/);
    }
  });
});

describe('joinTranslations', () => {
  it('joins trimmed pieces with a space, or nothing for scripts without spaces', () => {
    expect(joinTranslations(['Hola. ', ' Adiós.', ''], 'es')).toBe('Hola. Adiós.');
    expect(joinTranslations(['今日は。', '明日は。'], 'ja')).toBe('今日は。明日は。');
  });
});
