import path from 'node:path';

/** An ffmpeg demuxer the product accepts uploads in, and how to read it safely. */
export interface AcceptedContainer {
  /** The name to force it with (`-f`), one of the names ffmpeg prints for it. */
  readonly demuxer: string;
  /** The name ffmpeg prints in `Input #0, <names>, from …` and prefixes its log lines with. */
  readonly ffmpegName: string;
  /**
   * True when the container's length is a count of the audio's own frames or samples (mp3 frame count, wav data
   * size, flac total samples, ogg granule). mov and matroska announce a movie/segment length that can be padded or
   * belong to a video track, so there only the decoded samples tell how long the audio is.
   */
  readonly lengthIsTheAudios: boolean;
  /** Demuxer options pinned on top of ffmpeg's defaults. */
  readonly options: readonly string[];
}

/**
 * The demuxers behind every upload type the API accepts (UPLOAD.contentTypes): nothing else is ever opened. The
 * others are where ffmpeg reads beyond the file it is given: playlists (hls, which follows `file:`, `http:`,
 * `data:` and `concat:` entries), concat lists, image sequences, subtitles, sdp (opens sockets), tty, lavfi.
 */
export const ACCEPTED_CONTAINERS: readonly AcceptedContainer[] = [
  {
    demuxer: 'mov',
    ffmpegName: 'mov,mp4,m4a,3gp,3g2,mj2',
    lengthIsTheAudios: false,
    // External data references (`dref` aliases) would make the demuxer open other files: off, whatever the build's
    // default. The probe cannot name these before it knows the format; it relies on that default (off).
    options: ['-enable_drefs', '0', '-use_absolute_path', '0'],
  },
  { demuxer: 'matroska', ffmpegName: 'matroska,webm', lengthIsTheAudios: false, options: [] },
  { demuxer: 'mp3', ffmpegName: 'mp3', lengthIsTheAudios: true, options: [] },
  { demuxer: 'ogg', ffmpegName: 'ogg', lengthIsTheAudios: true, options: [] },
  { demuxer: 'wav', ffmpegName: 'wav', lengthIsTheAudios: true, options: [] },
  { demuxer: 'flac', ffmpegName: 'flac', lengthIsTheAudios: true, options: [] },
  { demuxer: 'amr', ffmpegName: 'amr', lengthIsTheAudios: true, options: [] },
  { demuxer: 'aac', ffmpegName: 'aac', lengthIsTheAudios: true, options: [] },
];

/** The container ffmpeg names `ffmpegName`, if the product accepts it. */
export function acceptedContainer(ffmpegName: string): AcceptedContainer | undefined {
  return ACCEPTED_CONTAINERS.find((container) => container.ffmpegName === ffmpegName);
}

/** The WAV the normaliser writes: read back (silence detection) with the same confinement as an upload. */
export const NORMALIZED_WAV = acceptedContainer('wav')!;

/**
 * ffmpeg input arguments that confine it to one local file: only the accepted demuxers may open it (and, once
 * probed, only the one the probe saw), only the `file` protocol, and a `file:` URL of an absolute path so no
 * character of the name can be read as a protocol, a pattern or an option.
 */
export function confinedInput(inputPath: string, container?: AcceptedContainer): string[] {
  return [
    '-protocol_whitelist', 'file',
    '-format_whitelist', ACCEPTED_CONTAINERS.map((c) => c.demuxer).join(','),
    ...(container ? ['-f', container.demuxer, ...container.options] : []),
    '-i', `file:${path.resolve(inputPath)}`,
  ];
}
