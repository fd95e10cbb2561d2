import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { LanguageCode } from '../../lib/config/languages';
import { ProcessStartError, runProcess } from '../../functions/audio/run-process';
import { PipelineFailureError } from '../../functions/shared/errors';
import type { SpeechLanguages } from '../../functions/speech/speech-to-text';
import { Semaphore } from './semaphore';

export interface PocketsphinxOptions {
  /** @default 'pocketsphinx_continuous' on PATH (Debian package `pocketsphinx`) */
  readonly binary?: string;
  /** @default /usr/share/pocketsphinx/model/en-us (Debian package `pocketsphinx-en-us`) */
  readonly modelDir?: string;
  /** Recogniser processes at once. @default one per core */
  readonly maxConcurrent?: number;
  /** @default 120 s */
  readonly timeoutMs?: number;
}

const INSTALL_HINT = 'install the Debian packages `pocketsphinx` and `pocketsphinx-en-us` (apt-get install pocketsphinx pocketsphinx-en-us)';
/**
 * What a job's error says: the product's words, never the engine's name (clients see it; the engine is a local
 * stand-in for Transcribe). The technical detail goes in the error's details, which the pipeline logs.
 */
export const RECOGNITION_FAILED_MESSAGE = 'Speech recognition failed on this recording. Please try again.';
export const RECOGNITION_UNAVAILABLE_MESSAGE =
  'Speech recognition is not installed on this machine; the local stack’s log says which packages it needs.';

/**
 * CMU pocketsphinx (Debian 0.8+5prealpha `pocketsphinx_continuous`) over a 16 kHz mono 16-bit WAV or raw
 * file. English only: it is the one model Debian ships. Startup costs ~0.4 s (loading the language model), so
 * callers should give it chunks of several seconds, not tiny ones.
 */
export class PocketsphinxRecognizer implements SpeechLanguages {
  /** Languages this recogniser's model understands. */
  readonly languages: readonly LanguageCode[] = ['en'];
  private readonly binary: string;
  private readonly model: { hmm: string; lm: string; dict: string };
  private readonly timeoutMs: number;
  private readonly slots: Semaphore;

  constructor(options: PocketsphinxOptions = {}) {
    this.binary = options.binary ?? 'pocketsphinx_continuous';
    const modelDir = options.modelDir ?? '/usr/share/pocketsphinx/model/en-us';
    this.model = {
      hmm: path.join(modelDir, 'en-us'),
      lm: path.join(modelDir, 'en-us.lm.bin'),
      dict: path.join(modelDir, 'cmudict-en-us.dict'),
    };
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.slots = new Semaphore(options.maxConcurrent ?? availableParallelism());
  }

  /** What the deployment can hear: the model's languages when its files are installed, none otherwise. */
  spokenLanguages(): readonly LanguageCode[] {
    return this.missingModelFiles().length === 0 ? this.languages : [];
  }

  /** The recognised words (lower case, no punctuation), '' when it heard none. */
  async recognize(audioPath: string): Promise<string> {
    const missing = this.missingModelFiles();
    if (missing.length > 0) {
      throw new PipelineFailureError('INTERNAL_ERROR', RECOGNITION_UNAVAILABLE_MESSAGE, { missing, install: INSTALL_HINT });
    }
    const result = await this.slots
      .run(() =>
        runProcess(
          this.binary,
          ['-infile', audioPath, '-hmm', this.model.hmm, '-lm', this.model.lm, '-dict', this.model.dict, '-logfn', '/dev/null'],
          { timeoutMs: this.timeoutMs },
        ),
      )
      .catch((error: unknown) => {
        if (error instanceof ProcessStartError) {
          throw new PipelineFailureError('INTERNAL_ERROR', RECOGNITION_UNAVAILABLE_MESSAGE, {
            binary: this.binary,
            reason: error.cause.code,
            install: INSTALL_HINT,
          });
        }
        throw error;
      });
    if (result.exitCode !== 0) {
      throw new PipelineFailureError('TRANSCRIPTION_FAILED', RECOGNITION_FAILED_MESSAGE, {
        engine: 'pocketsphinx',
        exit: result.signal ?? result.exitCode,
        stderr: result.stderr.trim().split('\n').pop() ?? '',
      });
    }
    // One hypothesis line per utterance (pocketsphinx splits at its own silence detection).
    return result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(' ');
  }

  private missingModelFiles(): string[] {
    return Object.values(this.model).filter((file) => !existsSync(file));
  }
}
