import type { PresignedUpload } from '../client';

/** The upper bound of the POST policy's content-length-range: what storage itself will refuse above. */
export function signedMaxBytes(upload: PresignedUpload): number | undefined {
  const policy = upload.fields.Policy ?? upload.fields.policy;
  if (policy === undefined) return undefined;
  const { conditions } = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { conditions?: unknown[] };
  const range = conditions?.find((c): c is [string, number, number] => Array.isArray(c) && c[0] === 'content-length-range');
  return range === undefined ? undefined : Number(range[2]);
}
