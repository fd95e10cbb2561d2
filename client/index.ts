/**
 * The Voice Note Translator API client: one for the web page, the CLI, the bench, the tests and any
 * JavaScript or React Native app. See README.md, "Use the API from JavaScript / React Native".
 */
export { VoiceNoteClient, type ListJobsOptions, type TranslateOptions, type VoiceNoteClientOptions } from './voice-note-client';
export {
  ApiError,
  toApiError,
  type ApiErrorCode,
  type ClientErrorCode,
  type GatewayErrorCode,
  type ServiceErrorCode,
} from './api-error';
export type { FetchLike, RequestOptions, ThrottleRetryOptions } from './api-transport';
export type { JobWatch, Transport, WatchJobOptions, WebSocketConstructor, WebSocketLike } from './job-watcher';
export type { ReactNativeFile, UploadAudio, UploadOptions, UploadProgress, XhrConstructor, XhrLike } from './presigned-upload';
export { audioContentType } from './audio-content-type';
export type * from './api-types';
