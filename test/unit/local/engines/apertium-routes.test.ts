import { describe, expect, it } from 'vitest';
import { apertiumRoutes } from '../../../../local/engines/apertium-routes';

/** `apertium -l` on Debian 12 with apertium-eng-spa, -eng-cat, -fr-es, -es-pt, -spa-ita, -en-gl and -eo-en. */
const DEBIAN_MODES = `
  cat-eng  cat-eng_US  eco-es-fr  eco-fr-es  en-eo-bytecode-cg  en-eo-bytecode  en-eo  en-gl  eng-cat  eng-cat_iec2017
  eng-cat_valencia  eng-cat_valencia_iec2017  eng-cat_valencia_uni  eng-cat_valencia_uni_iec2017  eng-spa
  eo-en-bytecode  eo-en-compounds  eo-en-j  eo-en-malnova-kun-3-etapoj  eo-en  es-fr  es-pt  es-pt_BR  fr-es  gl-en
  ita-spa  pt-es  spa-eng  spa-eng_US  spa-ita
`.trim().split(/\s+/);

const fromEnglish = (modes: readonly string[]) =>
  Object.fromEntries(apertiumRoutes(modes).filter((r) => r.source === 'en').map((r) => [r.target, r.modes.join(' | ')]));

describe('apertiumRoutes', () => {
  it('from English: direct pairs, Spanish as the pivot for the rest; languages Amazon Translate lacks (gl, eo) left out', () => {
    expect(fromEnglish(DEBIAN_MODES)).toEqual({
      ca: 'eng-cat',
      es: 'eng-spa',
      fr: 'eng-spa | es-fr',
      it: 'eng-spa | spa-ita',
      pt: 'eng-spa | es-pt_BR', // Amazon Translate's pt is Brazilian
      'pt-PT': 'eng-spa | es-pt', // apertium's plain Portuguese is European
    });
  });

  it('reports the pivot of each route and never routes a language to itself', () => {
    const routes = apertiumRoutes(DEBIAN_MODES);

    expect(routes).toContainEqual({ source: 'en', target: 'fr', via: 'es', modes: ['eng-spa', 'es-fr'] });
    expect(routes).toContainEqual({ source: 'fr', target: 'en', via: 'es', modes: ['fr-es', 'spa-eng'] });
    expect(routes).toContainEqual({ source: 'en', target: 'es', modes: ['eng-spa'] });
    expect(routes.filter((r) => r.source === r.target)).toEqual([]);
    expect(new Set(routes.map((r) => `${r.source}>${r.target}`)).size).toBe(routes.length);
  });

  it('a direct pair wins over a pivot, and a plain pair over a dialect variant', () => {
    expect(fromEnglish(['eng-spa', 'es-fr', 'en-fr'])).toMatchObject({ fr: 'en-fr' });
    expect(fromEnglish(['eng-cat_valencia', 'eng-cat'])).toEqual({ ca: 'eng-cat' });
    expect(fromEnglish(['eng-cat_valencia'])).toEqual({ ca: 'eng-cat_valencia' }); // a dialect beats nothing
  });

  it('prefers Spanish as the pivot, then the others alphabetically', () => {
    expect(fromEnglish(['eng-cat', 'cat-ita', 'eng-spa', 'spa-ita'])).toMatchObject({ it: 'eng-spa | spa-ita' });
    expect(fromEnglish(['eng-cat', 'cat-ita', 'eng-nld', 'nld-ita'])).toMatchObject({ it: 'eng-cat | cat-ita' });
  });

  it('goes through one pivot at most', () => {
    expect(fromEnglish(['eng-spa', 'spa-cat', 'cat-ita'])).toEqual({ es: 'eng-spa', ca: 'eng-spa | spa-cat' });
  });

  it('accepts 639-1 and 639-3 names and ignores debugging modes and other files', () => {
    expect(apertiumRoutes(['en-es', 'eng-spa-tagger', 'eng-spa-morph', 'README'])).toEqual([{ source: 'en', target: 'es', modes: ['en-es'] }]);
    expect(apertiumRoutes([])).toEqual([]);
  });
});
