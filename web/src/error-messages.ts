/**
 * Every failure the page can show, in plain words. Server codes come from the API's
 * `{"error":{"code","message"}}` bodies and from failed jobs; the API client (client/) names what went wrong
 * on the way (network, upload), and the page its own troubles (microphone, no audio). The code is always
 * shown next to the words so a user can quote it.
 */

const MESSAGES: Readonly<Record<string, string>> = {
  // Keys, quotas and throttling.
  MISSING_API_KEY: 'Paste your API key first.',
  API_KEY_INVALID: 'This API key was not accepted. Check that you pasted all of it, or ask for a new key.',
  KEY_NOT_REGISTERED: 'This API key is not set up for this service. Ask for a new key.',
  KEY_REVOKED: 'This API key has been revoked. Ask for a new key.',
  FORBIDDEN: 'This API key is not allowed to do that.',
  QUOTA_EXCEEDED: "You have used all of today's translations for your plan. The quota resets at 00:00 UTC.",
  THROTTLED: 'Too many requests at once. Wait a few seconds and try again.',
  // Request problems.
  VALIDATION_ERROR: 'The request was not accepted.',
  INVALID_JSON: 'The request was not accepted: it was not valid JSON.',
  ROUTE_NOT_FOUND: 'This page asked the service for something it does not offer. Reload to get the current version.',
  INVALID_JOB_ID: 'That note id is not valid.',
  BODY_TOO_LARGE: 'The request was too large.',
  INVALID_CURSOR: 'The history list is out of date. Refresh it to start again from the newest note.',
  NOT_FOUND: 'That note no longer exists. It may have been deleted or expired.',
  JOB_NOT_FOUND: 'That note no longer exists. It may have been deleted or expired.',
  CONNECTION_UNKNOWN: 'Live updates lost their connection. Reload the page to reconnect.',
  PAYLOAD_TOO_LARGE: 'The file is larger than your plan allows.',
  UPLOAD_TOO_LARGE: 'The file is larger than your plan allows.',
  UNSUPPORTED_MEDIA_TYPE: 'That file type is not supported. Use audio such as m4a, mp3, ogg, webm, wav or flac.',
  UNSUPPORTED_AUDIO_TYPE: 'That file type is not supported. Use audio such as m4a, mp3, ogg, webm, wav or flac.',
  UNSUPPORTED_LANGUAGE: 'That language is not supported.',
  UNSUPPORTED_LANGUAGE_PAIR: 'Translation between the spoken language and the chosen language is not available.',
  // Pipeline outcomes of a failed note.
  EMPTY_AUDIO: 'The recording is empty.',
  NOT_AUDIO: 'That file does not contain audio.',
  CORRUPT_AUDIO: 'The audio file is damaged and could not be read.',
  AUDIO_TOO_LONG: 'The note is longer than your plan allows.',
  SILENT_AUDIO: 'The recording is silent. Check your microphone and try again.',
  NO_SPEECH: 'No speech was found in the recording.',
  TRANSCRIPTION_FAILED: 'Speech recognition failed. Please try again.',
  TRANSLATION_FAILED: 'Translation failed. Please try again.',
  UPLOAD_EXPIRED: 'The audio did not arrive in time. Please upload it again.',
  PIPELINE_TIMEOUT: 'Processing took too long and was stopped. Please try again.',
  SERVICE_BUSY: 'The speech or translation service is busy right now. Please try again in a few minutes.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again in a minute.',
  // Failures on the way, named by the API client.
  API_UNREACHABLE: 'The service cannot be reached. Check your connection and try again.',
  STORAGE_UNREACHABLE: 'The upload could not reach storage. Check your connection and try again.',
  SERVICE_UNAVAILABLE: 'The service is busy or down. Please try again in a minute.',
  TIMEOUT: 'The service took too long to answer. Please try again.',
  UNEXPECTED_RESPONSE: 'The service sent an answer this page does not understand.',
  UPLOAD_FAILED: 'The upload failed. Please try again.',
  ABORTED: 'The operation was cancelled.',
  // The page's own.
  UPLOAD_POLICY_EXPIRED: 'The upload link expired before the file was sent. Please try again.',
  NO_AUDIO_SELECTED: 'Record a note or choose an audio file first.',
  MICROPHONE_DENIED: 'The microphone is blocked. Allow it in the browser, or choose a file instead.',
  RECORDING_UNSUPPORTED: 'This browser cannot record audio. Choose a file instead.',
  RECORDING_EMPTY: 'Nothing was recorded. Try recording again.',
};

/** Codes whose server message adds detail worth showing (which field was wrong, which limit applies). */
const SHOW_SERVER_DETAIL = new Set([
  'VALIDATION_ERROR',
  'UPLOAD_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UPLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_AUDIO_TYPE',
  'UNSUPPORTED_LANGUAGE',
  'AUDIO_TOO_LONG',
]);

export interface DescribableError {
  readonly code: string;
  readonly status?: number;
  /** The server's own message, if any. */
  readonly message?: string;
  readonly retryAfterSeconds?: number;
}

/** Plain words for an error. Unknown codes fall back to the server's message, then to the HTTP status. */
export function describeError(error: DescribableError): string {
  const known = MESSAGES[error.code];
  let text = known ?? (error.message?.trim() ? sentence(error.message) : fallbackForStatus(error.status));
  if (known && error.message && SHOW_SERVER_DETAIL.has(error.code) && error.message !== known) {
    text += ` ${sentence(error.message)}`;
  }
  if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds > 0) {
    text += ` You can try again in ${formatWait(error.retryAfterSeconds)}.`;
  }
  return text;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function fallbackForStatus(status: number | undefined): string {
  return status !== undefined && status >= 500 ? MESSAGES.INTERNAL_ERROR! : MESSAGES.UNEXPECTED_RESPONSE!;
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} hours`;
}
