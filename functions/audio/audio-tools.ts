import type { AcceptedContainer } from './accepted-containers';

/**
 * What ffmpeg, the same build that decodes, saw in the real bytes (extension and content type are never trusted).
 */
export interface AudioProbe {
  /** The accepted demuxer that opened it; the decode is forced to it. */
  readonly container: AcceptedContainer;
  readonly codec: string;
  readonly sampleRateHz: number;
  readonly channelLayout: string;
  /**
   * How long the container says the audio is, only where that length is the audio's own (see
   * AcceptedContainer.lengthIsTheAudios) and the file holds nothing else. Undefined otherwise: a container's
   * length may belong to a video track or be padded, and the decoded samples are authoritative anyway.
   */
  readonly announcedAudioSeconds?: number;
}

/** 16 kHz mono 16-bit PCM WAV written by the normaliser, with what the pipeline needs to know about it. */
export interface NormalizedAudio {
  readonly wavPath: string;
  /** From the decoded samples: the audio stream's real length, whatever the container announces. */
  readonly durationSeconds: number;
  /** Errors the demuxer logged while reading: data missing behind its index (a truncated mp4), a damaged container. */
  readonly containerErrors: readonly string[];
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
  /** The probe's verdict, which the decode is forced to. @default - the tools probe the input first */
  readonly container?: AcceptedContainer;
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
  /** Not a media container ffmpeg recognises (a text file named .m4a). */
  | 'NOT_MEDIA'
  /**
   * A format outside the accepted audio containers: playlists, concat lists, images, subtitles… never opened,
   * since several of them make ffmpeg read other files or the network.
   */
  | 'UNSUPPORTED_CONTAINER'
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

/** Port over ffmpeg (the layer's static build in AWS, Debian's locally). Throws AudioToolsError. */
export interface AudioTools {
  probe(inputPath: string): Promise<AudioProbe>;
  normalize(inputPath: string, outputWavPath: string, options?: NormalizeOptions): Promise<NormalizedAudio>;
  /**
   * Cuts a normalised WAV at silences into chunks of about `targetSeconds`. A note that fits in one chunk
   * comes back as itself (the input path): nothing to cut, nothing copied.
   */
  splitAtSilences(wavPath: string, targetSeconds: number, outputDir: string): Promise<readonly AudioChunk[]>;
}
