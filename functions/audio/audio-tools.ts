/** What ffprobe tells about the real bytes (extension and content type are never trusted). */
export interface AudioProbe {
  readonly formatName: string;
  readonly codec: string;
  /** Undefined when the container does not say (streamed webm); the decoded length is authoritative. */
  readonly durationSeconds?: number;
  readonly sampleRateHz: number;
  readonly channels: number;
}

/** 16 kHz mono 16-bit PCM WAV written by the normaliser, with what the pipeline needs to know about it. */
export interface NormalizedAudio {
  readonly wavPath: string;
  readonly durationSeconds: number;
  /** SHA-256 of the decoded PCM samples: the audio-result cache key (same sound, same hash, any container). */
  readonly pcmSha256: string;
  /** Mean volume in dBFS; below AUDIO.silenceThresholdDb the input is silent. */
  readonly meanVolumeDb: number;
}

export interface AudioChunk {
  readonly index: number;
  readonly wavPath: string;
  readonly startSeconds: number;
  readonly durationSeconds: number;
}

export interface NormalizeOptions {
  /**
   * Stop decoding a little past this many seconds: enough to know the note is too long without spending a
   * Lambda's time decoding an hour of audio. The result's duration then exceeds the limit.
   */
  readonly maxSeconds?: number;
}

/**
 * Why the tools could not read the input. The audio validation service maps these to pipeline failure codes;
 * the adapters only describe what they saw.
 */
export type AudioToolsFailure =
  /** Not a media container ffprobe recognises (a text file named .m4a). */
  | 'NOT_MEDIA'
  /** A media file without an audio stream (a picture, a video-only file). */
  | 'NO_AUDIO_STREAM'
  /** A recognised container that cannot be read or decoded (truncated upload, missing moov atom). */
  | 'UNDECODABLE'
  /** The tool itself failed (missing binary, killed): not the input's fault. */
  | 'TOOL_FAILED';

export class AudioToolsError extends Error {
  constructor(
    readonly failure: AudioToolsFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AudioToolsError';
  }
}

/** Port over ffmpeg/ffprobe (the layer's binaries in AWS, the npm static binaries locally). Throws AudioToolsError. */
export interface AudioTools {
  probe(inputPath: string): Promise<AudioProbe>;
  normalize(inputPath: string, outputWavPath: string, options?: NormalizeOptions): Promise<NormalizedAudio>;
  /**
   * Cuts a normalised WAV at silences into chunks of about `targetSeconds`. A note that fits in one chunk
   * comes back as itself (the input path): nothing to cut, nothing copied.
   */
  splitAtSilences(wavPath: string, targetSeconds: number, outputDir: string): Promise<readonly AudioChunk[]>;
}
