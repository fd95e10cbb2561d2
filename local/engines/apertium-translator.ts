import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LanguageCode } from '../../lib/config/languages';
import { ProcessStartError, runProcess } from '../../functions/audio/run-process';
import { PipelineFailureError } from '../../functions/shared/errors';
import type { TranslationRoute, Translator } from '../../functions/translation/translator';
import { type ApertiumRoute, apertiumRoutes } from './apertium-routes';
import { baseLanguage } from './iso-639';

export interface ApertiumOptions {
  /** @default 'apertium' on PATH (Debian package `apertium`) */
  readonly binary?: string;
  /** Where the installed pairs' `<src>-<tgt>.mode` files are. @default /usr/share/apertium/modes */
  readonly modesDir?: string;
  /** @default 60 s */
  readonly timeoutMs?: number;
}

const INSTALL_HINT = 'install `apertium` and a language pair package, e.g. apt-get install apertium apertium-eng-spa';
/** A job's error in the product's words (never the engine's name); the detail goes in the error's details. */
export const TRANSLATION_FAILED_MESSAGE = 'The translation failed. Please try again.';
export const TRANSLATION_UNAVAILABLE_MESSAGE =
  'Translation is not installed on this machine; the local stack’s log says which packages it needs.';

/**
 * Apertium rule-based translation, for the local stack. Routes are whatever the installed modes make,
 * discovered when the translator is made (install a pair, restart the stack), with one pivot language where
 * no direct pair exists (apertium-routes.ts). `-u` drops apertium's `*` marks on unknown words, which then pass
 * through untranslated (and through a pivot's second pair alike); other marks are left as apertium writes them.
 */
export class ApertiumTranslator implements Translator {
  /** Apertium has no request limit; pieces of this size keep one call well under a second. */
  readonly maxBytesPerRequest = 20_000;
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly byPair: ReadonlyMap<string, ApertiumRoute>;

  constructor(options: ApertiumOptions = {}) {
    this.binary = options.binary ?? 'apertium';
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const routes = apertiumRoutes(installedModes(options.modesDir ?? '/usr/share/apertium/modes'));
    this.byPair = new Map(routes.map((route) => [pairKey(route.source, route.target), route]));
  }

  routes(): readonly TranslationRoute[] {
    return [...this.byPair.values()].map(({ source, target, via }) => ({ source, target, ...(via !== undefined && { via }) }));
  }

  supports(source: LanguageCode, target: LanguageCode): boolean {
    return this.byPair.has(pairKey(source, target));
  }

  async translate(text: string, source: LanguageCode, target: LanguageCode): Promise<string> {
    const route = this.byPair.get(pairKey(source, target));
    if (route === undefined) {
      throw new PipelineFailureError('UNSUPPORTED_LANGUAGE_PAIR', `Translation from "${source}" to "${target}" is not installed on this machine.`, {
        source,
        target,
        install: INSTALL_HINT,
      });
    }
    // The text goes in a file, not stdin: the apertium script opens /dev/stdin by path, which fails when
    // stdin is the socket Node gives a child process. Through a pivot, each pair reads the previous one's output.
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-apertium-'));
    try {
      let inputPath = path.join(dir, 'input-0.txt');
      await writeFile(inputPath, text.endsWith('\n') ? text : `${text}\n`);
      for (const [step, mode] of route.modes.entries()) {
        const output = await this.run(mode, inputPath);
        inputPath = path.join(dir, `input-${step + 1}.txt`);
        await writeFile(inputPath, output);
      }
      // Apertium's transfer rules sometimes leave doubled spaces where a word was dropped.
      return (await readFile(inputPath, 'utf8')).replace(/[ \t]{2,}/g, ' ').trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async run(mode: string, inputPath: string): Promise<string> {
    const result = await runProcess(this.binary, ['-u', mode, inputPath], { timeoutMs: this.timeoutMs }).catch((error: unknown) => {
      if (error instanceof ProcessStartError) {
        throw new PipelineFailureError('INTERNAL_ERROR', TRANSLATION_UNAVAILABLE_MESSAGE, {
          binary: this.binary,
          reason: error.cause.code,
          install: INSTALL_HINT,
        });
      }
      throw error;
    });
    if (result.exitCode !== 0) {
      throw new PipelineFailureError('TRANSLATION_FAILED', TRANSLATION_FAILED_MESSAGE, {
        engine: `apertium ${mode}`,
        exit: result.signal ?? result.exitCode,
        stderr: result.stderr.trim(),
      });
    }
    return result.stdout;
  }
}

/** Sources are read as their base language (a pt-PT speaker's text goes through the pt analyser); targets exactly. */
function pairKey(source: LanguageCode, target: LanguageCode): string {
  return `${baseLanguage(source)}>${target}`;
}

/** The installed modes, as `apertium -l` lists them (the `.mode` files of its modes directory), without a process. */
function installedModes(modesDir: string): string[] {
  try {
    return readdirSync(modesDir)
      .filter((file) => file.endsWith('.mode'))
      .map((file) => file.slice(0, -'.mode'.length));
  } catch {
    return [];
  }
}
