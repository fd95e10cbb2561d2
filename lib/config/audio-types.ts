/**
 * Audio media types, defined once: which types POST /uploads accepts, and which type a file's extension
 * declares. The web page, the CLI, the bench, the tests and any app (through client/) read the map here, so
 * they cannot disagree. The pipeline probes the real bytes; the declared type only has to be accepted and
 * match the presigned POST's policy. Pure data with no imports: the browser and React Native bundle it.
 */

/** Audio media types accepted at POST /uploads. */
export const AUDIO_CONTENT_TYPES = [
  'audio/mp4',
  'audio/m4a',
  'audio/x-m4a',
  'audio/aac',
  'audio/mpeg',
  'audio/mp3',
  'audio/ogg',
  'audio/opus',
  'audio/webm',
  'audio/3gpp',
  'audio/3gpp2',
  'audio/amr',
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/flac',
  'audio/x-flac',
] as const;
export type AudioContentType = (typeof AUDIO_CONTENT_TYPES)[number];

/**
 * The type to declare for a file by its (lower-case) extension. `.opus` files are Ogg Opus, whose media type
 * is audio/ogg (RFC 7845 §9); `audio/opus` names the RTP payload format.
 */
export const AUDIO_CONTENT_TYPE_BY_EXTENSION = {
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  webm: 'audio/webm',
  wav: 'audio/wav',
  flac: 'audio/flac',
  '3gp': 'audio/3gpp',
  '3g2': 'audio/3gpp2',
  amr: 'audio/amr',
} as const satisfies Readonly<Record<string, AudioContentType>>;

/** The declared type of `fileName` (a name or a path) by its extension; undefined when it is not audio we know. */
export function contentTypeForFileName(fileName: string): AudioContentType | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  // hasOwnProperty rather than `in`: 'constructor' is not an extension. (Object.hasOwn is missing on older React Native.)
  return extension !== undefined && Object.prototype.hasOwnProperty.call(AUDIO_CONTENT_TYPE_BY_EXTENSION, extension)
    ? AUDIO_CONTENT_TYPE_BY_EXTENSION[extension as keyof typeof AUDIO_CONTENT_TYPE_BY_EXTENSION]
    : undefined;
}
