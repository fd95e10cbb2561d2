import { AUDIO_CONTENT_TYPES, contentTypeForFileName, type AudioContentType } from '../lib/config/audio-types';

const ACCEPTED: readonly string[] = AUDIO_CONTENT_TYPES;

/**
 * The content type to declare at POST /uploads for a file or recording. MediaRecorder reports
 * `audio/webm;codecs=opus`, files picked from disk may have no type or a video/* one, and Node knows only
 * the name: so parameters are dropped, an accepted type is kept, and otherwise the extension decides.
 * Undefined: nothing the API accepts.
 */
export function audioContentType(declaredType: string | undefined, fileName = ''): AudioContentType | undefined {
  const base = (declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ACCEPTED.includes(base)) return base as AudioContentType;
  const byName = contentTypeForFileName(fileName);
  if (byName) return byName;
  // Some browsers' recorders label audio-only webm/mp4 as video.
  if (base === 'video/webm') return 'audio/webm';
  if (base === 'video/mp4') return 'audio/mp4';
  return undefined;
}
