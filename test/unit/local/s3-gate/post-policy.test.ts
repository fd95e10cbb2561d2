import { describe, expect, it } from 'vitest';
import {
  checkPostPolicy,
  checkUploadSize,
  decodePostPolicy,
  type FormFields,
  type PostPolicy,
} from '../../../../local/s3-gate/post-policy';

const NOW = new Date('2026-03-14T12:00:00.000Z');
const BUCKET = 'uploads-bucket';
const KEY = 'uploads/tenant-b/job-b';

const encode = (document: unknown) => Buffer.from(JSON.stringify(document)).toString('base64');

/** The policy shape createPresignedPost signs for POST /uploads. */
const UPLOAD_POLICY = {
  expiration: '2026-03-14T12:05:00Z',
  conditions: [
    ['content-length-range', 1, 1024],
    ['eq', '$Content-Type', 'audio/mp4'],
    { 'Content-Type': 'audio/mp4' },
    { bucket: BUCKET },
    { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
    { 'X-Amz-Credential': 'VNTLOCAL/20260314/us-east-1/s3/aws4_request' },
    { 'X-Amz-Date': '20260314T120000Z' },
    { key: KEY },
  ],
};

/** The form a browser sends for it, field names as the SDK writes them. */
const UPLOAD_FORM: Record<string, string> = {
  'Content-Type': 'audio/mp4',
  bucket: BUCKET,
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': 'VNTLOCAL/20260314/us-east-1/s3/aws4_request',
  'X-Amz-Date': '20260314T120000Z',
  key: KEY,
  Policy: encode(UPLOAD_POLICY),
  'X-Amz-Signature': 'a'.repeat(64),
};

function formOf(fields: Record<string, string>): FormFields {
  return new Map(Object.entries(fields).map(([name, value]) => [name.toLowerCase(), { name, value }]));
}

function check(form: Record<string, string>, policy: unknown = UPLOAD_POLICY, now = NOW) {
  return checkPostPolicy(decodePostPolicy(encode(policy)), formOf(form), BUCKET, now);
}

const policyWith = (...conditions: unknown[]) => ({ expiration: '2026-03-14T12:05:00Z', conditions });

describe('decodePostPolicy', () => {
  it('reads the expiration and every condition of a policy the SDK signs', () => {
    const policy: PostPolicy = decodePostPolicy(encode(UPLOAD_POLICY));

    expect(policy.expiration.toISOString()).toBe('2026-03-14T12:05:00.000Z');
    expect(policy.conditions).toHaveLength(UPLOAD_POLICY.conditions.length);
  });

  it.each([
    ['not base64', 'not base64!', 'Invalid Policy: Invalid Base64 Encoding.'],
    ['not JSON', Buffer.from('{expiration').toString('base64'), 'Invalid Policy: Invalid JSON.'],
    ['a JSON array', encode([]), 'Invalid Policy: Invalid JSON.'],
    ['no expiration', encode({ conditions: [] }), 'Invalid Policy: Policy missing expiration.'],
    ['an expiration that is not ISO 8601', encode({ expiration: 'tomorrow', conditions: [] }), "Invalid Policy: Invalid 'expiration' value: 'tomorrow'"],
    ['no conditions', encode({ expiration: '2026-03-14T12:05:00Z' }), 'Invalid Policy: Policy missing conditions.'],
    ['conditions that are not a list', encode({ expiration: '2026-03-14T12:05:00Z', conditions: {} }), "Invalid Policy: Invalid 'conditions' value: must be a list."],
    [
      'a simple condition with two properties',
      encode(policyWith({ key: 'a', acl: 'private' })),
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    ['an unknown operation', encode(policyWith(['matches', '$key', 'a'])), "Invalid Policy: Invalid Condition: unknown operation 'matches'."],
    ['an eq on a name without $', encode(policyWith(['eq', 'key', 'a'])), 'Invalid Policy: Invalid Condition: ["eq","key","a"]'],
    ['a negative size range', encode(policyWith(['content-length-range', -1, 10])), 'Invalid Policy: Invalid content-length-range: ["content-length-range",-1,10]'],
    ['an inverted size range', encode(policyWith(['content-length-range', 10, 1])), 'Invalid Policy: Invalid content-length-range: ["content-length-range",10,1]'],
  ])('refuses %s with 400 InvalidPolicyDocument', (_name, encoded, message) => {
    expect(() => decodePostPolicy(encoded)).toThrow(expect.objectContaining({ code: 'InvalidPolicyDocument', status: 400, message }));
  });
});

describe('checkPostPolicy', () => {
  it('accepts the form the policy was signed for and returns its size range', () => {
    expect(check(UPLOAD_FORM)).toEqual({ min: 1, max: 1024 });
  });

  it.each<[string, Record<string, string>, unknown, string]>([
    ['another key', { ...UPLOAD_FORM, key: 'uploads/tenant-a/job-a' }, UPLOAD_POLICY, `Policy Condition failed: ["eq", "$key", "${KEY}"]`],
    ['no key', withoutField(UPLOAD_FORM, 'key'), UPLOAD_POLICY, `Policy Condition failed: ["eq", "$key", "${KEY}"]`],
    ['another Content-Type', { ...UPLOAD_FORM, 'Content-Type': 'text/html' }, UPLOAD_POLICY, 'Policy Condition failed: ["eq", "$Content-Type", "audio/mp4"]'],
    [
      'a key outside the starts-with prefix',
      { ...UPLOAD_FORM, key: 'uploads/tenant-a/x' },
      { ...UPLOAD_POLICY, conditions: [...UPLOAD_POLICY.conditions.slice(0, -1), ['starts-with', '$key', 'uploads/tenant-b/']] },
      'Policy Condition failed: ["starts-with", "$key", "uploads/tenant-b/"]',
    ],
    [
      'a Content-Type list with one type outside the prefix',
      { ...UPLOAD_FORM, 'Content-Type': 'audio/mp4, text/html' },
      policyWith(['starts-with', '$Content-Type', 'audio/'], ...UPLOAD_POLICY.conditions.slice(3)),
      'Policy Condition failed: ["starts-with", "$Content-Type", "audio/"]',
    ],
    [
      'a bucket condition for another bucket (the form field cannot stand in for the request)',
      { ...UPLOAD_FORM, bucket: 'other-bucket' },
      { ...UPLOAD_POLICY, conditions: [...UPLOAD_POLICY.conditions.filter((c) => !('bucket' in c)), { bucket: 'other-bucket' }] },
      'Policy Condition failed: ["eq", "$bucket", "other-bucket"]',
    ],
    ['a field no condition names', { ...UPLOAD_FORM, 'x-amz-meta-owner': 'a', acl: 'public-read' }, UPLOAD_POLICY, 'Extra input fields: x-amz-meta-owner, acl'],
    ['an expired policy', UPLOAD_FORM, { ...UPLOAD_POLICY, expiration: '2026-03-14T11:59:59Z' }, 'Policy expired.'],
  ])('refuses %s with 403 AccessDenied', (_name, form, policy, detail) => {
    expect(() => check(form, policy)).toThrow(
      expect.objectContaining({ code: 'AccessDenied', status: 403, message: `Invalid according to Policy: ${detail}` }),
    );
  });

  it.each<[string, Record<string, string>, unknown]>([
    ['field names in any case', { ...withoutField(UPLOAD_FORM, 'Content-Type'), 'content-type': 'audio/mp4', KEY: KEY }, UPLOAD_POLICY],
    ['x-ignore- fields', { ...UPLOAD_FORM, 'x-ignore-trace': 'anything' }, UPLOAD_POLICY],
    [
      'a starts-with "" on any value',
      { ...UPLOAD_FORM, success_action_status: '201' },
      { ...UPLOAD_POLICY, conditions: [...UPLOAD_POLICY.conditions, ['starts-with', '$success_action_status', '']] },
    ],
    [
      'a Content-Type list where every type has the prefix',
      { ...UPLOAD_FORM, 'Content-Type': 'audio/mp4, audio/ogg' },
      policyWith(['starts-with', '$Content-Type', 'audio/'], ...UPLOAD_POLICY.conditions.slice(3)),
    ],
  ])('accepts %s', (_name, form, policy) => {
    expect(() => check(form, policy)).not.toThrow();
  });

  it('narrows the size range to every content-length-range together, and defaults to S3’s 5 GiB', () => {
    expect(check(UPLOAD_FORM, { ...UPLOAD_POLICY, conditions: [...UPLOAD_POLICY.conditions, ['content-length-range', '10', '2048']] })).toEqual({
      min: 10,
      max: 1024,
    });
    expect(check(UPLOAD_FORM, { ...UPLOAD_POLICY, conditions: UPLOAD_POLICY.conditions.slice(1) })).toEqual({ min: 0, max: 5 * 1024 ** 3 });
  });
});

describe('checkUploadSize', () => {
  it.each([
    [1, undefined],
    [1024, undefined],
    [1025, { code: 'EntityTooLarge', status: 400, details: { ProposedSize: 1025, MaxSizeAllowed: 1024 } }],
    [0, { code: 'EntityTooSmall', status: 400, details: { ProposedSize: 0, MinSizeAllowed: 1 } }],
  ])('%i bytes against 1..1024: %o', (size, error) => {
    const run = () => checkUploadSize(size, { min: 1, max: 1024 });
    if (error === undefined) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining(error));
  });
});

function withoutField(fields: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([field]) => field !== name));
}
