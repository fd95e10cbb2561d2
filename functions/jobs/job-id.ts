import { randomUUID } from 'node:crypto';

/**
 * Job ids are random UUIDv4s: unguessable (another tenant cannot enumerate them) and fixed-length, so the
 * S3 prefix `normalized/<jobId>` can never match a different job's objects.
 */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newJobId(): string {
  return randomUUID();
}

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}
