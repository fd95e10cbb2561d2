import type { LanguageCode } from '../../lib/config/languages';

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes for a translator's per-request limit, cutting at
 * sentence boundaries; a sentence longer than the limit is cut at word boundaries, and a "word" longer than
 * the limit (a URL, a string without spaces) at code points. Lossless: the pieces concatenate back to the
 * input exactly, in order. Segmentation is Intl.Segmenter's (ICU), so it knows 。 and ¿? as well as '.'.
 */
export function splitForTranslation(text: string, maxBytes: number, locale?: string): string[] {
  if (!(maxBytes >= 4)) throw new RangeError('maxBytes must fit at least one UTF-8 code point (4 bytes)');
  if (utf8Bytes(text) <= maxBytes) return text === '' ? [] : [text];
  const sentences = [...new Intl.Segmenter(locale, { granularity: 'sentence' }).segment(text)].map((s) => s.segment);
  const units = sentences.flatMap((sentence) => (utf8Bytes(sentence) <= maxBytes ? [sentence] : splitSentence(sentence, maxBytes, locale)));
  return pack(units, maxBytes);
}

function splitSentence(sentence: string, maxBytes: number, locale: string | undefined): string[] {
  // Words with the spaces after them, so a cut lands between words, never inside one.
  const words: string[] = [];
  for (const { segment, isWordLike } of new Intl.Segmenter(locale, { granularity: 'word' }).segment(sentence)) {
    const last = words.length - 1;
    if (!isWordLike && last >= 0) words[last] += segment;
    else words.push(segment);
  }
  return pack(words.flatMap((word) => (utf8Bytes(word) <= maxBytes ? [word] : splitCodePoints(word, maxBytes))), maxBytes);
}

function splitCodePoints(word: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const codePoint of word) {
    if (utf8Bytes(current + codePoint) > maxBytes) {
      pieces.push(current);
      current = '';
    }
    current += codePoint;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Greedily packs consecutive units (each within the limit) into pieces within the limit. */
function pack(units: readonly string[], maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const unit of units) {
    const bytes = utf8Bytes(unit);
    if (currentBytes + bytes > maxBytes && current !== '') {
      pieces.push(current);
      current = '';
      currentBytes = 0;
    }
    current += unit;
    currentBytes += bytes;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Scripts written without spaces between words (and so between translated pieces). */
const UNSPACED_TARGETS: ReadonlySet<LanguageCode> = new Set<LanguageCode>(['ja', 'zh', 'zh-TW', 'th']);

/** Joins translated pieces in order; pieces were translated trimmed, so restore one separator between them. */
export function joinTranslations(pieces: readonly string[], target: LanguageCode): string {
  const separator = UNSPACED_TARGETS.has(target) ? '' : ' ';
  return pieces
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join(separator);
}
