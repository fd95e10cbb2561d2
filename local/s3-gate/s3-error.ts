import { randomBytes } from 'node:crypto';

/** The S3 error codes the gate answers with, and the HTTP status S3 gives each. */
const STATUS = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncorrectNumberOfFilesInPostRequest: 400,
  InvalidArgument: 400,
  InvalidPolicyDocument: 400,
  InvalidRequest: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceededError: 400,
  RequestIsNotMultiPartContent: 400,
  InternalError: 500,
} as const;

export type S3ErrorCode = keyof typeof STATUS;

/**
 * A refusal in S3's own shape (status, `<Error><Code>…` XML with the same extra elements), so clients and
 * tests written against S3 read the local stack's answers unchanged.
 */
export class S3RequestError extends Error {
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    /** Extra elements S3 adds to this error, e.g. `MaxSizeAllowed`. */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'S3RequestError';
    this.status = STATUS[code];
  }

  toXml(requestId: string): string {
    const elements = { Code: this.code, Message: this.message, ...this.details, RequestId: requestId, HostId: hostId() };
    const body = Object.entries(elements)
      .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${body}</Error>`;
  }
}

/** What S3 answers for a request that carries no credentials on a private bucket. */
export const accessDenied = () => new S3RequestError('AccessDenied', 'Access Denied');

/** S3's request ids: 16 upper-case hex characters. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function hostId(): string {
  return randomBytes(48).toString('base64');
}

/** Element content needs only these escaped (S3 leaves the quotes of a policy condition as they are). */
function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
