import { ApiError } from '../../client';

/** Loaded on demand (dynamic import) the first time the user presses Record. */
export interface Recording {
  readonly mimeType: string;
  /** Stops and resolves with the whole note. */
  stop(): Promise<Blob>;
  /** Stops and throws the audio away (e.g. the page is leaving). */
  cancel(): void;
}

/** Opus in WebM (Chromium, Firefox) or Ogg, else AAC in MP4 (Safari): all accepted by the API. */
const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'];

export async function startRecording(): Promise<Recording> {
  if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    throw new ApiError('RECORDING_UNSUPPORTED');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    throw new ApiError(name === 'NotAllowedError' || name === 'SecurityError' ? 'MICROPHONE_DENIED' : 'RECORDING_UNSUPPORTED', name);
  }
  const mimeType = PREFERRED_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? '';
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType, audioBitsPerSecond: 32_000 } : undefined);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };
  const release = (): void => stream.getTracks().forEach((track) => track.stop());
  recorder.start();

  return {
    mimeType: recorder.mimeType || mimeType,
    stop: () =>
      new Promise<Blob>((resolve, reject) => {
        recorder.onstop = () => {
          release();
          const blob = new Blob(chunks, { type: recorder.mimeType || mimeType || 'audio/webm' });
          if (blob.size === 0) reject(new ApiError('RECORDING_EMPTY'));
          else resolve(blob);
        };
        recorder.stop();
      }),
    cancel: () => {
      recorder.onstop = release;
      if (recorder.state !== 'inactive') recorder.stop();
      else release();
    },
  };
}
