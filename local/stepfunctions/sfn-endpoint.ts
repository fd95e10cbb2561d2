import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL } from '../config';
import { closeServer, listen, readBody, sendJson } from '../http/server';

/** An AWS service error as Step Functions reports it (`__type` is what the SDK turns into an exception). */
export class SfnServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** The Step Functions operations our handlers call, each taking and returning the API's JSON shapes. */
export type SfnOperations = Partial<Record<SfnAction, (request: Record<string, unknown>) => Promise<unknown>>>;

export type SfnAction =
  | 'StartExecution'
  | 'DescribeExecution'
  | 'SendTaskSuccess'
  | 'SendTaskFailure'
  | 'SendTaskHeartbeat'
  | 'StopExecution';

export interface SfnEndpoint {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * A Step Functions endpoint speaking the AWS JSON 1.0 protocol (POST /, `X-Amz-Target:
 * AWSStepFunctions.<Action>`), so the unmodified SDK in the handlers reaches the local state machine through
 * AWS_ENDPOINT_URL_SFN. Signatures are not checked: it listens on loopback only.
 */
export async function startSfnEndpoint(operations: SfnOperations): Promise<SfnEndpoint> {
  const server = createServer((req, res) => {
    handle(operations, req, res).catch((error: unknown) => {
      sendJson(res, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });
  const port = await listen(server, 0, LOCAL.host);
  return { endpoint: `http://${LOCAL.host}:${port}`, stop: () => closeServer(server) };
}

async function handle(operations: SfnOperations, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const action = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
  const operation = operations[action as SfnAction];
  const body = await readBody(req);
  if (req.method !== 'POST' || operation === undefined) {
    sendAwsJson(res, 400, { __type: 'UnknownOperationException', message: `Unsupported operation ${target}` });
    return;
  }
  let request: Record<string, unknown>;
  try {
    request = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch {
    sendAwsJson(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
    return;
  }
  try {
    sendAwsJson(res, 200, (await operation(request)) ?? {});
  } catch (error) {
    if (error instanceof SfnServiceError) {
      sendAwsJson(res, error.statusCode, { __type: error.type, message: error.message });
      return;
    }
    sendAwsJson(res, 500, { __type: 'InternalFailure', message: (error as Error).message });
  }
}

function sendAwsJson(res: ServerResponse, statusCode: number, body: unknown): void {
  sendJson(res, statusCode, body, { 'content-type': 'application/x-amz-json-1.0' });
}
