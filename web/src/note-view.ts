import {
  ApiError,
  audioContentType,
  type JobStatus,
  type JobUpdate,
  type Transport,
  type VoiceNoteClient,
} from '../../client';
import { AUDIO_CONTENT_TYPES, AUDIO_CONTENT_TYPE_BY_EXTENSION } from '../../lib/config/audio-types';
import { JOB_STATUSES } from '../../lib/config/job-statuses';
import { copyText } from './copy-text';
import { byId, clearError, el, formatBytes, moveFocus, reveal, showError } from './dom';
import { describeError } from './error-messages';
import { DEFAULT_TARGET_LANGUAGE, languageName, targetLanguageOptions } from './languages';
import { preferences } from './preferences';
import type { Recording } from './recorder';

export interface NoteFormOptions {
  readonly api: VoiceNoteClient;
  /** Called when a note ends (either way) so usage and history can refresh. */
  readonly onFinished: () => void;
}

/** The file input's `accept`: every type the API takes, plus the extensions browsers often leave untyped. */
const FILE_INPUT_ACCEPT = [...AUDIO_CONTENT_TYPES, ...Object.keys(AUDIO_CONTENT_TYPE_BY_EXTENSION).map((ext) => `.${ext}`)].join(',');

/** The steps a note shows, in the lifecycle's order: every status after the upload, failure aside (it marks a step). */
const STAGES: readonly JobStatus[] = JOB_STATUSES.filter((status) => status !== 'awaiting_upload' && status !== 'failed');
const STATUS_WORDS: Readonly<Record<JobStatus, string>> = {
  awaiting_upload: 'Uploading…',
  queued: 'Queued: waiting for a worker…',
  normalizing: 'Normalizing the audio…',
  transcribing: 'Transcribing speech…',
  translating: 'Translating…',
  completed: 'Done: the translation is ready.',
  failed: 'Failed.',
};

interface ChosenAudio {
  readonly blob: Blob;
  readonly contentType: string;
  readonly label: string;
}

/** Record or pick audio, choose a language, upload with byte progress, then follow the job to its result. */
export class NoteForm {
  private readonly form = byId<HTMLFormElement>('note-form');
  private readonly fileInput = byId<HTMLInputElement>('audio-file');
  private readonly recordButton = byId<HTMLButtonElement>('record');
  private readonly recordLabel = byId('record-label');
  private readonly recordTime = byId('record-time');
  private readonly choice = byId('audio-choice');
  private readonly target = byId<HTMLSelectElement>('target');
  private readonly submit = byId<HTMLButtonElement>('submit');
  private readonly errors = byId('note-error');
  private readonly progress = byId('progress');
  private readonly uploadBar = byId<HTMLProgressElement>('upload-bar');
  private readonly uploadText = byId('upload-text');
  private readonly stages = byId<HTMLOListElement>('stages');
  private readonly status = byId('status');
  private readonly transport = byId('transport');
  private readonly noteCard = byId('note-heading').closest('section')!;
  private readonly result = byId('result');
  private readonly copyStatus = byId('copy-status');
  private audio: ChosenAudio | undefined;
  private recording: Recording | undefined;
  private recordTimer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  /** The target of the note in flight (the select may change meanwhile). */
  private sentTarget: string = DEFAULT_TARGET_LANGUAGE;
  /** The furthest stage shown for the note in flight. */
  private stageShown: JobStatus | undefined;

  constructor(private readonly options: NoteFormOptions) {
    this.fileInput.accept = FILE_INPUT_ACCEPT;
    void this.loadLanguages();
    this.fileInput.addEventListener('change', () => this.onFileChosen());
    this.recordButton.addEventListener('click', () => void this.toggleRecording());
    this.target.addEventListener('change', () => preferences.setTargetLanguage(this.target.value));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    byId('copy-transcript').addEventListener('click', () => void this.copy('r-transcript', 'Transcript'));
    byId('copy-translation').addEventListener('click', () => void this.copy('r-translation', 'Translation'));
  }

  /**
   * Clears what the last attempt left on screen (its error, and a failed note's progress) once the reader has
   * changed what caused it: saved a key, chosen other audio.
   */
  clearStaleError(): void {
    const hadError = this.errors.hasChildNodes();
    clearError(this.errors);
    if (hadError && !this.busy) this.progress.hidden = true;
  }

  /** Offers only the targets this deployment can reach (GET /languages, no key needed). */
  private async loadLanguages(): Promise<void> {
    try {
      this.offerTargets((await this.options.api.languages()).targets);
    } catch {
      // Offline, or an API without the route: the default only (POST /uploads has the last word); online again retries.
      this.offerTargets([DEFAULT_TARGET_LANGUAGE]);
      addEventListener('online', () => void this.loadLanguages(), { once: true });
    }
  }

  private offerTargets(codes: readonly string[]): void {
    const wanted = this.target.value || preferences.targetLanguage();
    const selected = [wanted, DEFAULT_TARGET_LANGUAGE].find((code) => code !== undefined && codes.includes(code)) ?? codes[0];
    this.target.replaceChildren(
      ...targetLanguageOptions(codes).map(({ code, label }) => new Option(label, code, code === selected, code === selected)),
    );
  }

  private onFileChosen(): void {
    this.clearStaleError();
    const file = this.fileInput.files?.[0];
    if (!file) return;
    const contentType = audioContentType(file.type, file.name);
    if (!contentType) {
      this.audio = undefined;
      this.choice.textContent = 'No audio chosen yet.';
      showError(this.errors, new ApiError('UNSUPPORTED_MEDIA_TYPE', `“${file.name}” is ${file.type || 'of an unknown type'}.`));
      return;
    }
    this.audio = { blob: file, contentType, label: `${file.name} (${formatBytes(file.size)})` };
    this.choice.textContent = `Chosen: ${this.audio.label}.`;
  }

  private async toggleRecording(): Promise<void> {
    this.clearStaleError();
    if (this.recording) {
      const recording = this.recording;
      this.recording = undefined;
      this.setRecordingUi(false);
      try {
        const blob = await recording.stop();
        const contentType = audioContentType(blob.type) ?? 'audio/webm';
        this.audio = { blob, contentType, label: `recording (${formatBytes(blob.size)})` };
        this.fileInput.value = '';
        this.choice.textContent = `Chosen: ${this.audio.label}.`;
      } catch (error) {
        showError(this.errors, error);
      }
      return;
    }
    try {
      // Loaded on first use: most visits never record, so the first load does not pay for it.
      const { startRecording } = await import('./recorder');
      this.recording = await startRecording();
      this.setRecordingUi(true);
    } catch (error) {
      showError(this.errors, error);
    }
  }

  private setRecordingUi(recording: boolean): void {
    // The label says what pressing does next; aria-pressed as well would make it read "Stop recording, pressed".
    this.recordButton.toggleAttribute('data-recording', recording);
    this.recordLabel.textContent = recording ? 'Stop recording' : 'Record';
    this.choice.textContent = recording ? 'Recording… press Stop recording when you are done.' : this.choice.textContent;
    clearInterval(this.recordTimer);
    this.recordTime.textContent = '';
    if (recording) {
      const started = Date.now();
      this.recordTimer = setInterval(() => {
        const seconds = Math.floor((Date.now() - started) / 1000);
        this.recordTime.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
      }, 250);
    }
  }

  private async send(): Promise<void> {
    if (this.busy) return;
    clearError(this.errors);
    if (!preferences.apiKey()) return this.refuse('MISSING_API_KEY');
    if (this.recording) await this.toggleRecording();
    const audio = this.audio;
    if (!audio) return this.refuse('NO_AUDIO_SELECTED');

    this.setBusy(true);
    this.resetProgress();
    this.result.hidden = true;
    // On a phone the progress starts below the fold: bring it up, then the result or the error when it ends.
    reveal(this.progress);
    let final: JobUpdate | undefined;
    try {
      const targetLanguage = this.target.value || DEFAULT_TARGET_LANGUAGE;
      this.sentTarget = targetLanguage;
      const created = await this.options.api.createUpload({
        contentType: audio.contentType,
        sizeBytes: audio.blob.size,
        targetLanguage,
      }).catch((error: unknown) => {
        // Nothing started: no progress to show, only the reason.
        this.progress.hidden = true;
        throw error;
      });
      // Subscribe before the upload finishes so no stage is missed.
      const watcher = this.options.api.watchJob(created.jobId, {
        onUpdate: (update) => this.showStage(update),
        onTransport: (via) => this.showTransport(via),
      });
      try {
        await this.options.api.upload(created.upload, audio.blob, {
          onProgress: ({ loaded, total }) => this.showUpload(loaded, total),
        });
      } catch (error) {
        watcher.stop();
        throw error;
      }
      if (!this.stageShown || this.stageShown === 'awaiting_upload') {
        this.status.textContent = 'Uploaded. Waiting for processing…';
      }
      final = await watcher.done;
      if (final.status === 'failed' && final.error) {
        showError(this.errors, new ApiError(final.error.code, final.error.message));
      }
    } catch (error) {
      this.status.textContent = '';
      showError(this.errors, error);
    } finally {
      this.setBusy(false);
      this.options.onFinished();
    }
    if (final?.status === 'completed' && !this.result.hidden) moveFocus(byId('result-heading'), [this.noteCard, this.result]);
    else if (this.errors.hasChildNodes()) reveal(this.errors);
  }

  private refuse(code: string): void {
    showError(this.errors, new ApiError(code));
    reveal(this.errors);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.submit.disabled = busy;
    this.submit.textContent = busy ? 'Working…' : 'Upload and translate';
  }

  private resetProgress(): void {
    this.progress.hidden = false;
    this.uploadBar.value = 0;
    this.uploadText.textContent = '';
    this.transport.textContent = '';
    this.stageShown = undefined;
    this.status.textContent = 'Asking for an upload link…';
    for (const li of this.stages.children) {
      li.removeAttribute('data-state');
      for (const mark of li.querySelectorAll('.stage-failed')) mark.remove();
    }
  }

  private showUpload(loaded: number, total: number): void {
    const percent = total ? Math.round((loaded / total) * 100) : 0;
    this.uploadBar.value = percent;
    // The bar and its text carry the numbers; the live region only says "Uploading…" once.
    this.uploadText.textContent = `${percent}% (${formatBytes(loaded)} of ${formatBytes(total)})`;
    if (!this.stageShown && this.status.textContent !== STATUS_WORDS.awaiting_upload) {
      this.status.textContent = STATUS_WORDS.awaiting_upload;
    }
  }

  private showTransport(via: Transport): void {
    this.transport.textContent = via === 'websocket' ? 'Live updates connected.' : 'Live updates unavailable: checking every few seconds.';
    this.transport.dataset.transport = via;
  }

  private showStage(update: JobUpdate): void {
    this.stageShown = update.status;
    const reached = update.status === 'failed' ? -1 : STAGES.indexOf(update.status);
    for (const li of this.stages.children) {
      const index = STAGES.indexOf((li as HTMLElement).dataset.stage as JobStatus);
      const state =
        update.status === 'completed' || index < reached ? 'done' : index === reached ? 'current' : undefined;
      if (state) li.setAttribute('data-state', state);
      else if (update.status !== 'failed') li.removeAttribute('data-state');
    }
    if (update.status === 'failed') {
      const stage = this.stages.querySelector('li:not([data-state="done"])');
      if (stage && stage.getAttribute('data-state') !== 'failed') {
        // Words and a cross as well as the colour: colour alone tells nothing to a colour-blind reader.
        stage.setAttribute('data-state', 'failed');
        stage.prepend(el('span', { class: 'stage-failed', 'aria-hidden': 'true' }, '✕ '));
        stage.append(el('span', { class: 'stage-failed' }, ' (failed)'));
      }
    }
    this.status.textContent =
      update.status === 'failed' && update.error ? `Failed: ${describeError(update.error)}` : STATUS_WORDS[update.status];
    if (update.status === 'completed' && update.result) this.showResult(update);
  }

  private showResult(update: JobUpdate): void {
    const result = update.result!;
    const target = this.sentTarget;
    byId('r-detected').textContent = languageName(result.detectedLanguage);
    byId('r-transcript').textContent = result.transcript;
    byId('r-transcript').lang = result.detectedLanguage;
    byId('r-target').textContent = `into ${languageName(target)}`;
    byId('r-translation').textContent = result.translation;
    byId('r-translation').lang = target;
    byId('r-cached').hidden = !result.cached;
    this.copyStatus.textContent = '';
    this.result.hidden = false;
  }

  private async copy(sourceId: string, what: string): Promise<void> {
    const outcome = await copyText(byId(sourceId));
    this.copyStatus.textContent =
      outcome === 'copied'
        ? `${what} copied.`
        : `${what} selected: this page cannot use the clipboard here, so copy it with your device's Copy command.`;
  }
}
