import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FfmpegAudioTools } from '../../../../functions/audio/ffmpeg-audio-tools';
import type { LanguageIdentifier } from '../../../../functions/speech/language-identifier';
import { EldLanguageIdentifier } from '../../../../local/engines/eld-language-identifier';
import { LocalBatchSpeechToText, type ObjectDownloader } from '../../../../local/engines/local-batch-speech-to-text';
import { LocalChunkSpeechToText } from '../../../../local/engines/local-chunk-speech-to-text';
import { LocalLanguagePolicy } from '../../../../local/engines/local-language-policy';
import type { TranscribeJobStateChangeEvent } from '../../../../local/engines/transcribe-job-events';
import { PocketsphinxRecognizer, RECOGNITION_FAILED_MESSAGE } from '../../../../local/engines/pocketsphinx-recognizer';
import { GOFORWARD_RAW, GOFORWARD_TEXT, makeAudio, makeSilence, makeSpeechWithPauses, NUMBERS_RAW } from '../../../helpers/audio-fixtures';

const recognizer = new PocketsphinxRecognizer();
const english = new LocalLanguagePolicy(recognizer.languages, await EldLanguageIdentifier.load());
const tools = new FfmpegAudioTools();

/** Names of the engines behind the product: a job's error message never shows them. */
const ENGINE_NAMES = /pocketsphinx|apertium|ffmpeg|sphinx/i;

describe('PocketsphinxRecognizer (real pocketsphinx)', () => {
  it('recognises goforward.raw as "go forward ten meters"', async () => {
    await expect(recognizer.recognize(GOFORWARD_RAW)).resolves.toBe(GOFORWARD_TEXT);
  });

  it('a missing binary is an INTERNAL_ERROR whose details (logged) name the Debian packages, and whose message no engine', async () => {
    const missing = new PocketsphinxRecognizer({ binary: '/nonexistent/pocketsphinx_continuous' });

    const error = await missing.recognize(GOFORWARD_RAW).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', details: { install: expect.stringContaining('pocketsphinx-en-us') } });
    expect((error as Error).message).not.toMatch(ENGINE_NAMES);
  });

  it('a missing model is an INTERNAL_ERROR whose details (logged) name the Debian packages, and whose message no engine', async () => {
    const noModel = new PocketsphinxRecognizer({ modelDir: '/nonexistent/model' });

    const error = await noModel.recognize(GOFORWARD_RAW).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', details: { install: expect.stringContaining('apt-get install pocketsphinx pocketsphinx-en-us') } });
    expect((error as Error).message).not.toMatch(ENGINE_NAMES);
  });

  it('a recogniser that dies (a signal, a crash) is TRANSCRIPTION_FAILED in the product’s words; the detail is in details', async () => {
    // `false` exits 1 with nothing: what a crashed engine looks like from outside.
    const crashing = new PocketsphinxRecognizer({ binary: 'false' });

    const error = await crashing.recognize(GOFORWARD_RAW).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'TRANSCRIPTION_FAILED', message: RECOGNITION_FAILED_MESSAGE, details: { exit: 1 } });
    expect((error as Error).message).not.toMatch(ENGINE_NAMES);
  });
});

describe('EldLanguageIdentifier (real eld)', () => {
  it('reads pocketsphinx output as English and real Spanish as Spanish', async () => {
    const eld = await EldLanguageIdentifier.load();

    expect(eld.identify(GOFORWARD_TEXT)).toEqual({ language: 'en', reliable: true });
    expect(eld.identify('la casa es muy bonita y tengo muchos amigos aquí')).toEqual({ language: 'es', reliable: true });
  });
});

describe('LocalLanguagePolicy', () => {
  const saying = (language: 'es' | 'en', reliable = true): LanguageIdentifier => ({ identify: () => ({ language, reliable }) });

  it.each([
    { hint: 'en', candidates: [], expected: 'en' },
    { hint: undefined, candidates: [], expected: 'en' },
    { hint: undefined, candidates: ['es', 'en'], expected: 'en' },
  ] as const)('choose(hint=$hint, candidates=$candidates) → $expected', ({ hint, candidates, expected }) => {
    expect(english.choose(hint, candidates)).toBe(expected);
  });

  it.each([
    { hint: 'es', candidates: [] },
    { hint: undefined, candidates: ['es', 'fr'] },
  ] as const)('UNSUPPORTED_LANGUAGE for hint=$hint candidates=$candidates', ({ hint, candidates }) => {
    expect(() => english.choose(hint, candidates)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_LANGUAGE' }));
  });

  it('confirm: words that reliably read as an uninstalled language fail clearly; unreliable or hinted ones pass', () => {
    expect(() => new LocalLanguagePolicy(['en'], saying('es')).confirm('la casa es bonita', 'en', undefined)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LANGUAGE', message: expect.stringContaining('"es"') }),
    );
    expect(new LocalLanguagePolicy(['en'], saying('es', false)).confirm('ok', 'en', undefined)).toBe('en');
    expect(new LocalLanguagePolicy(['en'], saying('es')).confirm('la casa', 'en', 'en')).toBe('en');
  });
});

describe('LocalChunkSpeechToText (real pocketsphinx)', () => {
  const chunk = new LocalChunkSpeechToText(recognizer, english);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-local-chunk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('recognises a normalised m4a upload', async () => {
    const normalized = await tools.normalize(await makeAudio('m4a', dir), path.join(dir, 'n.wav'));

    await expect(chunk.transcribeChunk(normalized.wavPath, undefined, ['en', 'es'])).resolves.toEqual({ text: GOFORWARD_TEXT, languageCode: 'en' });
  });

  it('refuses a Spanish hint before running', async () => {
    await expect(chunk.transcribeChunk(GOFORWARD_RAW, 'es', [])).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
  });
});

describe('LocalBatchSpeechToText (real pocketsphinx)', () => {
  let dir: string;
  const objects = new Map<string, string>();
  const download: ObjectDownloader = async (bucket, key, destination) => {
    const source = objects.get(`${bucket}/${key}`);
    if (!source) throw new Error(`NoSuchKey: ${bucket}/${key}`);
    await copyFile(source, destination);
  };
  const events: TranscribeJobStateChangeEvent[] = [];
  const listener = (event: TranscribeJobStateChangeEvent) => events.push(event);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-local-batch-'));
    objects.set('work/short.wav', (await tools.normalize(await makeAudio('ogg', dir), path.join(dir, 'short.wav'))).wavPath);
    objects.set('work/long.wav', await makeSpeechWithPauses(dir, [GOFORWARD_RAW, NUMBERS_RAW, GOFORWARD_RAW], 1));
    objects.set('work/silence.wav', await makeSilence(dir, 2, 'wav'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    events.length = 0;
  });

  const engine = (languages = english) => new LocalBatchSpeechToText({ recognizer, languages, audioTools: tools, download, concurrency: 2, stage: 'dev', onJobStateChange: listener });
  const request = (jobId: string, key: string) => ({ jobId, audio: { bucket: 'work', key }, candidates: ['en', 'es'] as const });

  it('runs in the background, then completes and emits a Transcribe Job State Change event', async () => {
    const batch = engine();

    await batch.start(request('job-short', 'short.wav'));
    expect(await batch.fetch('job-short')).toEqual({ status: 'IN_PROGRESS' });
    await batch.idle();

    expect(await batch.fetch('job-short')).toEqual({ status: 'COMPLETED', transcript: { text: GOFORWARD_TEXT, languageCode: 'en' } });
    expect(events).toEqual([
      expect.objectContaining({
        source: 'aws.transcribe',
        'detail-type': 'Transcribe Job State Change',
        detail: { TranscriptionJobName: 'vnt-dev-job-short', TranscriptionJobStatus: 'COMPLETED' },
      }),
    ]);
  });

  it('a second start of the same job is a no-op (one recognition, one event)', async () => {
    const batch = engine();

    await batch.start(request('job-twice', 'short.wav'));
    await batch.start(request('job-twice', 'short.wav'));
    await batch.idle();

    expect(events).toHaveLength(1);
  });

  it('splits longer audio at pauses across cores and joins the text in order', async () => {
    const batch = engine();

    await batch.start(request('job-long', 'long.wav'));
    await batch.idle();

    const state = await batch.fetch('job-long');
    expect(state.status).toBe('COMPLETED');
    const text = state.status === 'COMPLETED' ? state.transcript.text : '';
    expect(text.startsWith(GOFORWARD_TEXT)).toBe(true);
    expect(text.endsWith(GOFORWARD_TEXT)).toBe(true);
    expect(text).toMatch(/thirty|ninety|six/);
  });

  it('silence completes with no words (the service turns that into NO_SPEECH)', async () => {
    const batch = engine();

    await batch.start(request('job-silence', 'silence.wav'));
    await batch.idle();

    expect(await batch.fetch('job-silence')).toEqual({ status: 'COMPLETED', transcript: { text: '', languageCode: 'en' } });
  });

  it('fails with the engine’s code and emits FAILED when the speech is in a language it lacks', async () => {
    const batch = engine(new LocalLanguagePolicy(['en'], { identify: () => ({ language: 'es', reliable: true }) }));

    await batch.start(request('job-spanish', 'short.wav'));
    await batch.idle();

    expect(await batch.fetch('job-spanish')).toMatchObject({ status: 'FAILED', code: 'UNSUPPORTED_LANGUAGE' });
    expect(events[0]?.detail).toEqual({ TranscriptionJobName: 'vnt-dev-job-spanish', TranscriptionJobStatus: 'FAILED' });
  });

  it('a missing object fails the job, and an unknown job reads as FAILED', async () => {
    const batch = engine();

    await batch.start(request('job-missing', 'nope.wav'));
    await batch.idle();

    expect(await batch.fetch('job-missing')).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('NoSuchKey') });
    expect(await batch.fetch('never-started')).toMatchObject({ status: 'FAILED' });
  });

  it('refuses an unsupported hint at start, like Transcribe', async () => {
    await expect(engine().start({ ...request('job-es', 'short.wav'), languageHint: 'es' })).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
  });
});
