import { extname } from 'node:path';

/** MIME type to declare for an audio file, by extension (the pipeline still probes the real bytes). */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.webm': 'audio/webm',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.3gp': 'audio/3gpp',
  '.3g2': 'audio/3gpp2',
  '.amr': 'audio/amr',
};

export function audioContentType(path: string): string | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}
