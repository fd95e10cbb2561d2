import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import type { FormFields } from './post-policy';
import { accessDenied, S3RequestError, type S3ErrorCode } from './s3-error';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Who may sign, where, and when "now" is. */
export interface SigningContext {
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly now: Date;
}

/** A request as received: the raw (still percent-encoded) path, the decoded query and the headers. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: QueryParameterBag;
  readonly headers: IncomingHttpHeaders;
}

/**
 * How a request authenticates: SigV4 in the Authorization header, SigV4 in the query string (a presigned
 * URL), something S3 no longer accepts for new buckets (SigV2, SigV4a), or not at all.
 */
export type Authentication = 'header' | 'query' | 'unsupported' | 'none';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';
/** S3 refuses header-signed requests whose x-amz-date is further than this from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most a week. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
const QUERY_AUTH_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];
/** Form fields that carry credentials (SigV4, or SigV2's AWSAccessKeyId and signature). */
const POST_AUTH_FIELDS = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'awsaccesskeyid', 'signature'];
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export function authenticationOf(request: Pick<ReceivedRequest, 'headers' | 'query'>): Authentication {
  const authorization = request.headers.authorization;
  const inQuery = request.query['X-Amz-Algorithm'] !== undefined || request.query.Signature !== undefined;
  if (authorization !== undefined && inQuery) {
    throw new S3RequestError(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization !== undefined) return authorization.startsWith(`${ALGORITHM} `) ? 'header' : 'unsupported';
  if (inQuery) return request.query['X-Amz-Algorithm'] === ALGORITHM ? 'query' : 'unsupported';
  return 'none';
}

export function unsupportedAuthentication(): S3RequestError {
  return new S3RequestError(
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  );
}

/**
 * Verifies a browser POST form's SigV4 signature: HMAC-SHA256 of the base64 policy with the key derived for
 * the date, region and service of `x-amz-credential`. Throws S3's error otherwise.
 */
export async function verifyPostSignature(form: FormFields, context: SigningContext): Promise<void> {
  const field = (name: string) => form.get(name)?.value;
  const present = (name: string) => field(name) !== undefined;
  // A form without any credentials is anonymous, and the bucket is private.
  if (!POST_AUTH_FIELDS.some(present)) throw accessDenied();
  const algorithm = field('x-amz-algorithm');
  if (algorithm === undefined ? present('awsaccesskeyid') || present('signature') : algorithm !== ALGORITHM) {
    throw unsupportedAuthentication();
  }
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'Policy', 'X-Amz-Signature']) {
    if (!present(name.toLowerCase())) throw missingPostField(name);
  }
  const scope = parseCredential(field('x-amz-credential')!, 'InvalidArgument');
  checkScope(scope, context, 'InvalidArgument');
  const policy = field('policy')!;
  const provided = field('x-amz-signature')!;
  const key = await getSigningKey(Sha256, context.credentials, scope.date, scope.region, SERVICE);
  const expected = createHmac('sha256', key).update(policy, 'utf8').digest('hex');
  if (!sameSignature(expected, provided)) {
    throw new S3RequestError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, {
      AWSAccessKeyId: scope.accessKeyId,
      StringToSign: policy,
      SignatureProvided: provided,
      StringToSignBytes: hexBytes(policy),
    });
  }
}

/**
 * Verifies a SigV4 request (Authorization header or presigned query) by signing it again with the same
 * library the SDK signs with, from exactly the headers the client says it signed. Throws S3's error otherwise.
 */
export async function verifyRequestSignature(request: ReceivedRequest, context: SigningContext): Promise<void> {
  if (authenticationOf(request) === 'header') await verifyHeaderSignature(request, context);
  else await verifyQuerySignature(request, context);
}

async function verifyHeaderSignature(request: ReceivedRequest, context: SigningContext): Promise<void> {
  const components = new Map(
    request.headers
      .authorization!.slice(ALGORITHM.length + 1)
      .split(',')
      .map((part) => part.trim().split('=', 2) as [string, string | undefined]),
  );
  const [credential, signedHeaderList, provided] = ['Credential', 'SignedHeaders', 'Signature'].map((name) =>
    components.get(name),
  );
  if (credential === undefined || signedHeaderList === undefined || provided === undefined) {
    throw new S3RequestError(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  const scope = parseCredential(credential, 'AuthorizationHeaderMalformed');
  checkScope(scope, context, 'AuthorizationHeaderMalformed');
  const amzDate = headerValue(request.headers, 'x-amz-date');
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signingDate === undefined) {
    throw new S3RequestError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  if (Math.abs(context.now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new S3RequestError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: amzDate!,
      ServerTime: context.now.toISOString(),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }
  if (!amzDate!.startsWith(scope.date)) {
    throw new S3RequestError(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate!.slice(0, 8)}".`,
    );
  }
  // S3 signs the payload hash the client declares, signed or not.
  if (headerValue(request.headers, 'x-amz-content-sha256') === undefined) {
    throw new S3RequestError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const signedHeaders = signedHeaderList.split(';');
  const signed = await signerFor(scope, context).sign(
    toHttpRequest(request, request.query, [...signedHeaders, 'x-amz-content-sha256']),
    { signingDate, signableHeaders: new Set(signedHeaders), unsignableHeaders: unsignedPayloadHeader(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
  if (!sameSignature(expected, provided)) {
    throw new S3RequestError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, {
      AWSAccessKeyId: scope.accessKeyId,
      SignatureProvided: provided,
    });
  }
}

async function verifyQuerySignature(request: ReceivedRequest, context: SigningContext): Promise<void> {
  const param = (name: string) => {
    const value = request.query[name];
    return Array.isArray(value) ? value[0] : (value ?? undefined);
  };
  const [credential, amzDate, expires, signedHeaderList, provided] = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ].map(param);
  if (!credential || !amzDate || !expires || !signedHeaderList || !provided) {
    throw new S3RequestError(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const expiresIn = /^\d+$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(expiresIn <= MAX_EXPIRES_SECONDS)) {
    throw new S3RequestError(
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    );
  }
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined) {
    throw new S3RequestError(
      'AuthorizationQueryParametersError',
      'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"',
    );
  }
  const scope = parseCredential(credential, 'AuthorizationQueryParametersError');
  checkScope(scope, context, 'AuthorizationQueryParametersError');
  const expiresAt = new Date(signingDate.getTime() + expiresIn * 1000);
  if (context.now.getTime() > expiresAt.getTime()) {
    throw new S3RequestError('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(context.now),
    });
  }
  if (signingDate.getTime() - context.now.getTime() > MAX_SKEW_MS) {
    throw new S3RequestError('AccessDenied', 'Request is not valid yet');
  }
  const signedHeaders = signedHeaderList.split(';');
  const query = Object.fromEntries(Object.entries(request.query).filter(([name]) => !QUERY_AUTH_PARAMS.includes(name)));
  const unsigned = toHttpRequest(request, query, signedHeaders);
  // What S3's presigner does: the payload is unsigned, and nothing the client signed as a header moves to the query.
  unsigned.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const presigned = await signerFor(scope, context).presign(unsigned, {
    signingDate,
    expiresIn,
    signableHeaders: new Set(signedHeaders),
    unsignableHeaders: unsignedPayloadHeader(signedHeaders),
    unhoistableHeaders: new Set(Object.keys(unsigned.headers)),
  });
  const expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
  if (!sameSignature(expected, provided)) {
    throw new S3RequestError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, {
      AWSAccessKeyId: scope.accessKeyId,
      SignatureProvided: provided,
    });
  }
}

/** The query as SigV4 canonicalises it: names and values percent-decoded (no `+` for space), repeats kept. */
export function parseQuery(rawQuery: string): QueryParameterBag {
  // No prototype: a parameter named `__proto__` is just a parameter.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const [rawName, rawValue = ''] = splitOnce(pair, '=');
    const [name, value] = [strictDecode(rawName), strictDecode(rawValue)];
    const existing = query[name];
    query[name] = existing === undefined ? value : [existing, value].flat();
  }
  return query;
}

/** `text` cut at the first `separator`, if any. */
export function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

function strictDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3RequestError('InvalidArgument', `Invalid URI encoding: ${text}`);
  }
}

interface CredentialScope {
  readonly accessKeyId: string;
  /** yyyymmdd */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

function parseCredential(credential: string, code: S3ErrorCode): CredentialScope {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    throw new S3RequestError(
      code,
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function checkScope(scope: CredentialScope, context: SigningContext, code: S3ErrorCode): void {
  if (scope.accessKeyId !== context.credentials.accessKeyId) {
    throw new S3RequestError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: scope.accessKeyId,
    });
  }
  if (scope.region !== context.region) {
    throw new S3RequestError(code, `Error parsing the X-Amz-Credential parameter; the region '${scope.region}' is wrong; expecting '${context.region}'`, {
      Region: context.region,
    });
  }
  if (scope.service !== SERVICE) {
    throw new S3RequestError(code, `Error parsing the X-Amz-Credential parameter; incorrect service "${scope.service}". This endpoint belongs to "${SERVICE}".`);
  }
}

function signerFor(scope: CredentialScope, context: SigningContext): SignatureV4 {
  // S3 signs the path as sent (no double encoding) and takes the payload hash from x-amz-content-sha256.
  return new SignatureV4({
    credentials: context.credentials,
    region: scope.region,
    service: SERVICE,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

/** The request with only the named headers: a client signs a subset of what it sends. */
function toHttpRequest(request: ReceivedRequest, query: QueryParameterBag, headerNames: readonly string[]): HttpRequest {
  const headers: Record<string, string> = {};
  for (const name of headerNames) {
    const value = headerValue(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  return { method: request.method, protocol: 'http:', hostname: '', path: request.path, query, headers };
}

/** x-amz-content-sha256 sets the payload hash even when the client did not sign the header itself. */
function unsignedPayloadHeader(signedHeaders: readonly string[]): Set<string> {
  return new Set(signedHeaders.includes('x-amz-content-sha256') ? [] : ['x-amz-content-sha256']);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

function missingPostField(name: string): S3RequestError {
  return new S3RequestError(
    'InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: '' },
  );
}

function hexBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
