import { isLanguageCode, type LanguageCode } from '../../lib/config/languages';

/**
 * ISO 639-1 (our codes, Amazon Translate's) to ISO 639-3 (what apertium names its language pairs with).
 * Regional variants (pt-PT, es-MX, fr-CA, zh-TW, fa-AF) are read as their base language on the source side.
 */
const ISO_639_3: Readonly<Record<string, string>> = {
  af: 'afr', am: 'amh', ar: 'ara', az: 'aze', bg: 'bul', bn: 'ben', bs: 'bos', ca: 'cat', cs: 'ces', cy: 'cym',
  da: 'dan', de: 'deu', el: 'ell', en: 'eng', es: 'spa', et: 'est', fa: 'fas', fi: 'fin', fr: 'fra', ga: 'gle',
  gu: 'guj', ha: 'hau', he: 'heb', hi: 'hin', hr: 'hrv', ht: 'hat', hu: 'hun', hy: 'hye', id: 'ind', is: 'isl',
  it: 'ita', ja: 'jpn', ka: 'kat', kk: 'kaz', kn: 'kan', ko: 'kor', lt: 'lit', lv: 'lav', mk: 'mkd', ml: 'mal',
  mn: 'mon', mr: 'mar', ms: 'msa', mt: 'mlt', nl: 'nld', no: 'nob', pa: 'pan', pl: 'pol', ps: 'pus', pt: 'por',
  ro: 'ron', ru: 'rus', si: 'sin', sk: 'slk', sl: 'slv', so: 'som', sq: 'sqi', sr: 'srp', sv: 'swe', sw: 'swa',
  ta: 'tam', te: 'tel', th: 'tha', tl: 'tgl', tr: 'tur', uk: 'ukr', ur: 'urd', uz: 'uzb', vi: 'vie', zh: 'zho',
};

/**
 * Languages whose apertium output variants are distinct codes of ours. Amazon Translate's `pt` is Brazilian
 * Portuguese and `pt-PT` European; apertium's plain Portuguese is European (autocarro, comboio) and its `pt_BR`
 * variant Brazilian (ônibus, trem). Any other variant of these is not offered.
 */
const REGIONAL_TARGETS: Readonly<Partial<Record<LanguageCode, Readonly<Record<string, LanguageCode>>>>> = {
  pt: { '': 'pt-PT', BR: 'pt' },
};

export function baseLanguage(code: LanguageCode): LanguageCode {
  return (code.split('-')[0] ?? code) as LanguageCode;
}

/**
 * Our base language for a code found in an apertium pair name, which may be 639-3 (eng) or, in older
 * pairs, 639-1 (en); undefined for a language the product does not know (gl, eo, oc…).
 */
export function fromApertiumCode(code: string): LanguageCode | undefined {
  if (isLanguageCode(code)) return baseLanguage(code);
  const match = Object.entries(ISO_639_3).find(([, iso3]) => iso3 === code);
  return match?.[0] as LanguageCode | undefined;
}

/**
 * The code of what a mode generating `language` (a base code) with `variant` writes: `exact` when the mode is
 * that code's own (a plain mode, or a regional variant we distinguish), else a dialect that stands in for the
 * base language only when no plain mode exists (spa-eng_US, eng-cat_valencia). Undefined: not offered.
 */
export function targetOfMode(language: LanguageCode, variant: string | undefined): { code: LanguageCode; exact: boolean } | undefined {
  const regional = REGIONAL_TARGETS[language];
  if (regional !== undefined) {
    const code = regional[variant ?? ''];
    return code === undefined ? undefined : { code, exact: true };
  }
  return { code: language, exact: variant === undefined };
}
