import { S3RequestError } from './s3-error';

/** A form field as sent (S3 matches names case-insensitively but reports them as written). */
export interface FormField {
  readonly name: string;
  readonly value: string;
}

/** The fields that precede the file, by lower-cased name. */
export type FormFields = ReadonlyMap<string, FormField>;

type MatchCondition = {
  readonly kind: 'eq' | 'starts-with';
  /** Lower-cased field name, without the `$`. */
  readonly field: string;
  readonly value: string;
  /** How S3 quotes the condition when it fails: `["eq", "$key", "uploads/a/b"]`. */
  readonly text: string;
};
type Condition = MatchCondition | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number };

export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly Condition[];
}

/** The file sizes a policy allows, in bytes, both ends included. */
export interface SizeRange {
  readonly min: number;
  readonly max: number;
}

/** S3's own ceiling for a POST upload (5 GiB), which applies when the policy sets no content-length-range. */
const POST_MAX_BYTES = 5 * 1024 ** 3;

/** Fields S3 never expects a condition for. */
const UNCONDITIONED_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Decodes the base64 policy document of a POST form; what S3 refuses as malformed throws InvalidPolicyDocument. */
export function decodePostPolicy(encoded: string): PostPolicy {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) invalidPolicy('Invalid Base64 Encoding.');
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    invalidPolicy('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) invalidPolicy('Policy missing expiration.');
  if (typeof expiration !== 'string' || !ISO_8601_UTC.test(expiration) || Number.isNaN(Date.parse(expiration))) {
    invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (conditions === undefined) invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) invalidPolicy("Invalid 'conditions' value: must be a list.");
  return { expiration: new Date(expiration), conditions: conditions.map(parseCondition) };
}

/**
 * Checks a decoded (and already signature-verified) policy against the form, as S3 does before it reads
 * the file: the expiry, every condition in order, then that every field is covered by a condition.
 * Returns the file sizes the policy allows.
 */
export function checkPostPolicy(policy: PostPolicy, form: FormFields, bucket: string, now: Date): SizeRange {
  if (now.getTime() > policy.expiration.getTime()) {
    throw new S3RequestError('AccessDenied', 'Invalid according to Policy: Policy expired.');
  }
  const range = { min: 0, max: POST_MAX_BYTES };
  const named = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range.min = Math.max(range.min, condition.min);
      range.max = Math.min(range.max, condition.max);
      continue;
    }
    named.add(condition.field);
    const actual = condition.field === 'bucket' ? bucket : form.get(condition.field)?.value;
    if (!matches(condition, actual)) {
      throw new S3RequestError('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${condition.text}`);
    }
  }
  const extra = [...form.entries()]
    .filter(([name]) => !UNCONDITIONED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !named.has(name))
    .map(([, field]) => field.name);
  if (extra.length > 0) {
    throw new S3RequestError('AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  }
  return range;
}

/** The file's size against the policy's content-length-range, with S3's errors. */
export function checkUploadSize(size: number, range: SizeRange): void {
  if (size > range.max) {
    throw new S3RequestError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: size,
      MaxSizeAllowed: range.max,
    });
  }
  if (size < range.min) {
    throw new S3RequestError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
      ProposedSize: size,
      MinSizeAllowed: range.min,
    });
  }
}

function matches(condition: MatchCondition, actual: string | undefined): boolean {
  if (condition.kind === 'eq') return actual === condition.value;
  // An empty prefix accepts any content, even none (S3's "matching any content").
  if (condition.value === '') return true;
  if (actual === undefined) return false;
  // A Content-Type may list several types; each must match.
  const values = condition.field === 'content-type' ? actual.split(',').map((v) => v.trim()) : [actual];
  return values.every((value) => value.startsWith(condition.value));
}

function parseCondition(raw: unknown): Condition {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw);
    if (entries.length !== 1) {
      invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    }
    const [name, value] = entries[0]!;
    if (typeof value !== 'string') invalidPolicy(`Invalid Simple-Condition: value of '${name}' must be a string.`);
    return matchCondition('eq', `$${name}`, value);
  }
  if (!Array.isArray(raw) || raw.length !== 3 || typeof raw[0] !== 'string') {
    invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  }
  const [operation, first, second] = raw as [string, unknown, unknown];
  switch (operation.toLowerCase()) {
    case 'eq':
    case 'starts-with':
      if (typeof first !== 'string' || !first.startsWith('$') || typeof second !== 'string') {
        invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
      }
      return matchCondition(operation.toLowerCase() as MatchCondition['kind'], first, second);
    case 'content-length-range': {
      const [min, max] = [first, second].map(Number);
      if (![min, max].every((n) => Number.isSafeInteger(n) && n! >= 0) || min! > max!) {
        invalidPolicy(`Invalid content-length-range: ${JSON.stringify(raw)}`);
      }
      return { kind: 'content-length-range', min: min!, max: max! };
    }
    default:
      invalidPolicy(`Invalid Condition: unknown operation '${operation}'.`);
  }
}

function matchCondition(kind: MatchCondition['kind'], variable: string, value: string): MatchCondition {
  return {
    kind,
    field: variable.slice(1).toLowerCase(),
    value,
    text: `[${[kind, variable, value].map((part) => JSON.stringify(part)).join(', ')}]`,
  };
}

function invalidPolicy(detail: string): never {
  throw new S3RequestError('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}
