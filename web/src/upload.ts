import { ApiError } from './api-error';
import type { PresignedPost } from './api-types';

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

/**
 * Sends the audio to the presigned S3 POST. XMLHttpRequest rather than fetch because only XHR reports
 * upload progress in every browser; the bar shows real bytes on the wire.
 */
export function uploadToPresignedPost(
  post: PresignedPost,
  audio: Blob,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    // S3 ignores every field after `file`, so it must come last.
    form.append('file', audio);

    const xhr = new XMLHttpRequest();
    xhr.open('POST', post.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: audio.size, total: audio.size });
        resolve();
      } else {
        reject(s3UploadError(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new ApiError('NETWORK_ERROR', 'The upload could not reach storage.'));
    xhr.onabort = () => reject(new ApiError('UPLOAD_ABORTED'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** Maps S3's XML error (`<Error><Code>…</Code><Message>…</Message></Error>`) to our codes. */
export function s3UploadError(status: number, body: string): ApiError {
  const s3Code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const s3Message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? '';
  if (s3Code === 'EntityTooLarge') return new ApiError('UPLOAD_TOO_LARGE', s3Message, status);
  if (s3Code === 'AccessDenied' && /expired/i.test(s3Message)) {
    return new ApiError('UPLOAD_POLICY_EXPIRED', s3Message, status);
  }
  const detail = s3Code ? `Storage answered ${s3Code}${s3Message ? `: ${s3Message}` : ''}.` : `Storage answered HTTP ${status}.`;
  return new ApiError('UPLOAD_FAILED', detail, status);
}
