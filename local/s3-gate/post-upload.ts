import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { checkUploadSize, type FormField, type FormFields, type SizeRange } from './post-policy';
import { S3RequestError } from './s3-error';

/** A browser POST upload that passed every check, its file held in the spool directory. */
export interface ReceivedUpload {
  readonly fields: FormFields;
  readonly file: {
    readonly path: string;
    readonly size: number;
    readonly filename: string | undefined;
  };
}

export interface ReceivePostUploadOptions {
  readonly spoolDirectory: string;
  /**
   * Judges the fields once they are all known, when the file part starts (S3 ignores what follows the
   * file): throws S3's error, or returns the file sizes the policy allows.
   */
  authorize(fields: FormFields): Promise<SizeRange>;
}

/** S3 takes at most 20 KB of fields before the file. */
const MAX_PRE_DATA_BYTES = 20 * 1024;

/**
 * Reads a POST Object form as it streams in: the fields, then the `file` part, counted byte by byte into a
 * private spool file that never holds a byte past the policy's maximum. Only a form that passed
 * `authorize` and the size range resolves; on any refusal the rest of the request is read and discarded,
 * so the client gets the error instead of a reset connection.
 */
export function receivePostUpload(req: IncomingMessage, options: ReceivePostUploadOptions): Promise<ReceivedUpload> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) {
    return Promise.reject(
      new S3RequestError('RequestIsNotMultiPartContent', 'Bucket POST must be of the enclosure-type multipart/form-data.'),
    );
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, FormField>();
    let preDataBytes = 0;
    let file: Readable | undefined;
    let settled = false;
    const parser = Busboy({
      headers: { ...req.headers, 'content-type': contentType },
      // S3 reads the part named `file` as the file, with or without a filename.
      isPartAFile: (name) => name?.toLowerCase() === 'file',
      limits: { fieldSize: MAX_PRE_DATA_BYTES + 1, fieldNameSize: MAX_PRE_DATA_BYTES + 1 },
    });
    const settle = (outcome: { upload: ReceivedUpload } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      if ('upload' in outcome) {
        resolve(outcome.upload);
        return;
      }
      req.unpipe(parser);
      file?.resume();
      req.resume();
      reject(outcome.error);
    };
    const refuse = (error: unknown) => settle({ error });

    parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (file !== undefined || settled) return;
      preDataBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (nameTruncated || valueTruncated || preDataBytes > MAX_PRE_DATA_BYTES) {
        refuse(
          new S3RequestError(
            'MaxPostPreDataLengthExceededError',
            'Your POST request fields preceding the upload file are too large.',
          ),
        );
        return;
      }
      const key = name.toLowerCase();
      if (fields.has(key)) {
        // One value per field: what is checked must be what is stored.
        refuse(new S3RequestError('InvalidArgument', `Bucket POST contains the field '${name}' more than once.`, {
          ArgumentName: name,
          ArgumentValue: value,
        }));
        return;
      }
      fields.set(key, { name, value });
    });
    parser.on('file', (_name, stream, filename) => {
      if (file !== undefined || settled) {
        stream.resume();
        return;
      }
      file = stream;
      spoolFile(stream, fields, filename, options).then((upload) => settle({ upload }), refuse);
    });
    parser.on('error', () =>
      refuse(new S3RequestError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.')),
    );
    parser.on('finish', () => {
      if (file === undefined) {
        refuse(new S3RequestError('IncorrectNumberOfFilesInPostRequest', 'POST requires exactly one file upload per request.'));
      }
    });
    req.once('close', () => {
      if (!req.complete) {
        file?.destroy();
        refuse(new Error('The client closed the connection before the upload was complete'));
      }
    });
    req.pipe(parser);
  });
}

async function spoolFile(
  stream: Readable,
  fields: FormFields,
  filename: string | undefined,
  options: ReceivePostUploadOptions,
): Promise<ReceivedUpload> {
  const range = await options.authorize(fields);
  const path = join(options.spoolDirectory, randomUUID());
  let size = 0;
  try {
    await pipeline(
      stream,
      async function* upToTheLimit(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          const room = range.max - size;
          size += chunk.length;
          if (room > 0) yield room >= chunk.length ? chunk : chunk.subarray(0, room);
        }
      },
      createWriteStream(path, { flags: 'wx', mode: 0o600 }),
    );
    checkUploadSize(size, range);
    return { fields, file: { path, size, filename } };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
