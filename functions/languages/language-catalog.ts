import type { LanguageCode } from '../../lib/config/languages';
import { ValidationError } from '../shared/errors';
import type { SpeechLanguages } from '../speech/speech-to-text';
import type { TranslationLanguages } from '../translation/translator';

/** One spoken language this deployment recognises and every target a note in it can be given. */
export interface SpokenLanguageView {
  readonly language: LanguageCode;
  /** Sorted; includes the language itself (the note is transcribed, not translated). */
  readonly targets: readonly LanguageCode[];
  /** The targets reached through a pivot language, with that language (`{"fr":"es"}`); the others are direct. */
  readonly via: Readonly<Partial<Record<LanguageCode, LanguageCode>>>;
}

/** What GET /languages answers: what this deployment can do, from its engines. */
export interface LanguagesView {
  readonly spoken: readonly SpokenLanguageView[];
  /** The targets POST /uploads accepts without a `sourceLanguage`: reachable from at least one spoken language. */
  readonly targets: readonly LanguageCode[];
}

/**
 * The deployment's languages, read once from its engines (the recogniser's spoken languages, the translator's
 * routes): what clients may offer and what POST /uploads accepts, so a note that cannot be translated is
 * refused before it is metered rather than failing after it was transcribed.
 */
export class LanguageCatalog {
  private readonly targetsBySource: ReadonlyMap<LanguageCode, ReadonlyMap<LanguageCode, LanguageCode | undefined>>;
  private readonly anyTargets: readonly LanguageCode[];

  constructor(speech: SpeechLanguages, translation: TranslationLanguages) {
    const spoken = [...new Set(speech.spokenLanguages())].sort();
    const bySource = new Map<LanguageCode, Map<LanguageCode, LanguageCode | undefined>>(
      spoken.map((language) => [language, new Map([[language, undefined]])]),
    );
    for (const { source, target, via } of translation.routes()) {
      const targets = bySource.get(source);
      // A direct route wins over a pivot an engine may also list.
      if (targets !== undefined && (!targets.has(target) || via === undefined)) targets.set(target, via);
    }
    this.targetsBySource = bySource;
    this.anyTargets = [...new Set([...bySource.values()].flatMap((targets) => [...targets.keys()]))].sort();
  }

  view(): LanguagesView {
    return {
      spoken: [...this.targetsBySource].map(([language, targets]) => ({
        language,
        targets: [...targets.keys()].sort(),
        via: Object.fromEntries([...targets].filter(([, via]) => via !== undefined).sort(([a], [b]) => a.localeCompare(b))),
      })),
      targets: this.anyTargets,
    };
  }

  /**
   * Refuses a note this deployment cannot deliver: a spoken-language hint it cannot recognise
   * (UNSUPPORTED_LANGUAGE), or a target unreachable from the hint or, without one, from every language it
   * recognises (UNSUPPORTED_LANGUAGE_PAIR). Both are 400s that name what is available.
   */
  requireDeliverable(source: LanguageCode | undefined, target: LanguageCode): void {
    if (source === undefined) {
      if (this.anyTargets.includes(target)) return;
      const spoken = [...this.targetsBySource.keys()];
      throw new ValidationError(
        `This service cannot translate speech in ${list(spoken, 'no language')} into "${target}". Available targets: ${list(this.anyTargets, 'none')}.`,
        { field: 'targetLanguage', target, available: this.anyTargets },
        'UNSUPPORTED_LANGUAGE_PAIR',
      );
    }
    const targets = this.targetsBySource.get(source);
    if (targets === undefined) {
      const spoken = [...this.targetsBySource.keys()];
      throw new ValidationError(
        `This service cannot recognise speech in "${source}". It recognises: ${list(spoken, 'none')}.`,
        { field: 'sourceLanguage', source, available: spoken },
        'UNSUPPORTED_LANGUAGE',
      );
    }
    if (targets.has(target)) return;
    const available = [...targets.keys()].sort();
    throw new ValidationError(
      `This service cannot translate "${source}" into "${target}". Available targets from ${source}: ${list(available, 'none')}.`,
      { field: 'targetLanguage', source, target, available },
      'UNSUPPORTED_LANGUAGE_PAIR',
    );
  }
}

function list(codes: readonly string[], empty: string): string {
  return codes.length === 0 ? empty : codes.join(', ');
}
