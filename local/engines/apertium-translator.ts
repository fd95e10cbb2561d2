import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LanguageCode } from '../../lib/config/languages';
import { ProcessStartError, runProcess } from '../../functions/audio/run-process';
import { PipelineFailureError } from '../../functions/shared/errors';
import { baseLanguage, fromApertiumCode } from './iso-639';
import type { Translator } from '../../functions/translation/translator';

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

/** Pair name as apertium spells it: `eng-spa`, an older `en-es`, or a variant such as `spa-eng_US`. */
const MODE_FILE = /^([a-z]{2,3})-([a-z]{2,3})(?:_([A-Za-z_]+))?\.mode$/;

/**
 * Apertium rule-based translation, for the local stack. Pairs are whatever is installed, discovered from the
 * modes directory when the translator is made (install a pair, restart the stack). `-u` drops apertium's `*`
 * marks on unknown words, which then pass through untranslated; other marks are left as apertium writes them.
 */
export class ApertiumTranslator implements Translator {
  /** Apertium has no request limit; pieces of this size keep one call well under a second. */
  readonly maxBytesPerRequest = 20_000;
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly modes: ReadonlyMap<string, string>;

  constructor(options: ApertiumOptions = {}) {
    this.binary = options.binary ?? 'apertium';
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.modes = discoverModes(options.modesDir ?? '/usr/share/apertium/modes');
  }

  /** Installed directions as `source>target` of our language codes, e.g. `en>es`. */
  get pairs(): readonly string[] {
    return [...this.modes.keys()];
  }

  supports(source: LanguageCode, target: LanguageCode): boolean {
    return this.modes.has(pairKey(source, target));
  }

  async translate(text: string, source: LanguageCode, target: LanguageCode): Promise<string> {
    const mode = this.modes.get(pairKey(source, target));
    if (mode === undefined) {
      throw new PipelineFailureError('UNSUPPORTED_LANGUAGE_PAIR', `Translation from "${source}" to "${target}" is not installed on this machine.`, {
        source,
        target,
        install: INSTALL_HINT,
      });
    }
    // The text goes in a file, not stdin: the apertium script opens /dev/stdin by path, which fails when
    // stdin is the socket Node gives a child process.
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-apertium-'));
    const inputPath = path.join(dir, 'input.txt');
    await writeFile(inputPath, text.endsWith('\n') ? text : `${text}\n`);
    const result = await runProcess(this.binary, ['-u', mode, inputPath], { timeoutMs: this.timeoutMs })
      .catch((error: unknown) => {
        if (error instanceof ProcessStartError) {
          throw new PipelineFailureError('INTERNAL_ERROR', TRANSLATION_UNAVAILABLE_MESSAGE, {
            binary: this.binary,
            reason: error.cause.code,
            install: INSTALL_HINT,
          });
        }
        throw error;
      })
      .finally(() => rm(dir, { recursive: true, force: true }));
    if (result.exitCode !== 0) {
      throw new PipelineFailureError('TRANSLATION_FAILED', TRANSLATION_FAILED_MESSAGE, {
        engine: `apertium ${mode}`,
        exit: result.signal ?? result.exitCode,
        stderr: result.stderr.trim(),
      });
    }
    // Apertium's transfer rules sometimes leave doubled spaces where a word was dropped.
    return result.stdout.replace(/[ \t]{2,}/g, ' ').trim();
  }
}

function pairKey(source: LanguageCode, target: LanguageCode): string {
  return `${baseLanguage(source)}>${baseLanguage(target)}`;
}

/** `en>es` → `eng-spa`; a plain pair wins over its variants (spa-eng over spa-eng_US). */
function discoverModes(modesDir: string): Map<string, string> {
  let files: string[];
  try {
    files = readdirSync(modesDir);
  } catch {
    return new Map();
  }
  const modes = new Map<string, string>();
  for (const file of files.sort()) {
    const match = MODE_FILE.exec(file);
    if (!match) continue;
    const [, rawSource = '', rawTarget = '', variant] = match;
    const source = fromApertiumCode(rawSource);
    const target = fromApertiumCode(rawTarget);
    if (source === undefined || target === undefined) continue;
    const key = `${source}>${target}`;
    if (!modes.has(key) || variant === undefined) modes.set(key, file.slice(0, -'.mode'.length));
  }
  return modes;
}
