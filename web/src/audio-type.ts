import { UPLOAD } from '../../lib/config/limits';

const ACCEPTED: readonly string[] = UPLOAD.contentTypes;

/** File extensions browsers often leave untyped (or type oddly), mapped to a content type the API accepts. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  webm: 'audio/webm',
  wav: 'audio/wav',
  flac: 'audio/flac',
  '3gp': 'audio/3gpp',
  '3g2': 'audio/3gpp2',
  amr: 'audio/amr',
};

/** The `accept` attribute of the file input: every accepted type plus the extensions above. */
export const FILE_INPUT_ACCEPT = [...ACCEPTED, ...Object.keys(BY_EXTENSION).map((ext) => `.${ext}`)].join(',');

/**
 * The content type to announce at POST /uploads. MediaRecorder reports `audio/webm;codecs=opus`, and
 * files picked from disk may have no type or a video/* one, so parameters are dropped and the extension
 * decides when the type is not one the API accepts. Undefined: not something we can send.
 */
export function audioContentType(type: string, name = ''): string | undefined {
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (ACCEPTED.includes(base)) return base;
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext && BY_EXTENSION[ext]) return BY_EXTENSION[ext];
  // A recorder on some browsers labels audio-only webm/mp4 as video.
  if (base === 'video/webm') return 'audio/webm';
  if (base === 'video/mp4') return 'audio/mp4';
  return undefined;
}
