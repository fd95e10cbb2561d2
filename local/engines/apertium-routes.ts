import type { LanguageCode } from '../../lib/config/languages';
import type { TranslationRoute } from '../../functions/translation/translator';
import { baseLanguage, fromApertiumCode, targetOfMode } from './iso-639';

/** A route and the apertium modes that make it, run in order (one, or two through a pivot). */
export interface ApertiumRoute extends TranslationRoute {
  readonly modes: readonly string[];
}

/** Pair name as apertium spells it: `eng-spa`, an older `en-es`, or a variant such as `es-pt_BR`. */
const MODE_NAME = /^([a-z]{2,3})-([a-z]{2,3})(?:_([A-Za-z_]+))?$/;

/** Pivots tried first, then the others alphabetically: Spanish has the most apertium pairs. */
const PIVOT_PREFERENCE: readonly LanguageCode[] = ['es', 'en'];

/**
 * What a set of installed apertium modes (the names `apertium -l` prints) can translate: every direct mode,
 * and through one pivot language every target no direct mode reaches (en → es → fr when only eng-spa and
 * es-fr are installed). A direct mode always wins; one pivot at most, as each hop costs quality and time.
 * Debugging modes (`eng-spa-tagger`), languages the product does not know (gl, eo) and dialect variants
 * where a plain mode exists are left out. Sorted by source, then target.
 */
export function apertiumRoutes(modeNames: readonly string[]): ApertiumRoute[] {
  const direct = directModes(modeNames);
  const routes: ApertiumRoute[] = [];
  for (const [source, targets] of direct) {
    const reached = new Set<LanguageCode>([source, ...targets.keys()]);
    for (const [target, mode] of targets) routes.push({ source, target, modes: [mode] });
    const pivots = [...targets.keys()].filter((pivot) => pivot === baseLanguage(pivot) && direct.has(pivot)).sort(byPreference);
    for (const pivot of pivots) {
      for (const [target, mode] of direct.get(pivot)!) {
        if (reached.has(target)) continue;
        reached.add(target);
        routes.push({ source, target, via: pivot, modes: [targets.get(pivot)!, mode] });
      }
    }
  }
  return routes.sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
}

/** source → target → mode; a plain mode wins over a dialect variant of the same target. */
function directModes(modeNames: readonly string[]): Map<LanguageCode, Map<LanguageCode, string>> {
  const direct = new Map<LanguageCode, Map<LanguageCode, string>>();
  const exact = new Set<string>();
  for (const name of [...modeNames].sort()) {
    const [, rawSource = '', rawTarget = '', variant] = MODE_NAME.exec(name) ?? [];
    const source = fromApertiumCode(rawSource);
    const targetLanguage = fromApertiumCode(rawTarget);
    if (source === undefined || targetLanguage === undefined) continue;
    const target = targetOfMode(targetLanguage, variant);
    if (target === undefined) continue;
    const key = `${source}>${target.code}`;
    const targets = direct.get(source) ?? direct.set(source, new Map()).get(source)!;
    if (exact.has(key) || (targets.has(target.code) && !target.exact)) continue;
    targets.set(target.code, name);
    if (target.exact) exact.add(key);
  }
  return direct;
}

function byPreference(a: LanguageCode, b: LanguageCode): number {
  const rank = (code: LanguageCode) => (PIVOT_PREFERENCE.includes(code) ? PIVOT_PREFERENCE.indexOf(code) : PIVOT_PREFERENCE.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}
