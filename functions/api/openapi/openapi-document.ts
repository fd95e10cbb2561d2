import { GATEWAY_ERROR_RESPONSES, gatewayErrorResponse } from '../../../lib/config/gateway-responses';
import { SPOKEN_LANGUAGE_LOCALES, TRANSLATE_LANGUAGES, DEFAULT_TARGET_LANGUAGE } from '../../../lib/config/languages';
import { API, CACHE_TTLS, UPLOAD } from '../../../lib/config/limits';
import { TIER_NAMES, TIERS } from '../../../lib/config/tiers';
import { quotaBackstop } from '../../../lib/config/usage-plans';
import { JOB_STATUSES } from '../../jobs/job';
import { JOB_ID_PATTERN } from '../../jobs/job-id';
import { PIPELINE_FAILURE_CODES } from '../../shared/errors';
import { API_ERROR_CODES } from './error-codes';

/**
 * The OpenAPI 3.1 document of the HTTP API: the contract mobile apps and API-key clients program against.
 * Built from the same config modules the handlers use (tiers, limits, languages, statuses, error codes,
 * API Gateway's own error answers), so the enums and numbers it shows cannot drift from what the code
 * enforces. Served at GET /openapi.json and written to docs/openapi.json
 * (`npx tsx functions/api/openapi/write-openapi.ts`); lint-clean under Redocly (redocly.yaml) and checked
 * against live traffic by Prism in the end-to-end tests.
 */

/** The licence of the service, as package.json declares it (a unit test compares the two). */
export const API_LICENSE = 'Apache-2.0';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The code API Gateway answers with for `type`, from the one table the CDK API is built from. */
const gatewayCode = (type: Parameters<typeof gatewayErrorResponse>[0]) => gatewayErrorResponse(type).code;

/**
 * Whether every answer carrying one of `codes` has a Retry-After header. The handlers' only 429 is
 * QuotaExceededError, which always sends the seconds to the reset; API Gateway's answers have a static header
 * when their row in GATEWAY_ERROR_RESPONSES says so.
 */
function alwaysRetryAfter(codes: readonly string[]): boolean {
  const handlerCodes: readonly string[] = Object.values(API_ERROR_CODES).flat();
  const handlerCodesWithRetryAfter: readonly string[] = API_ERROR_CODES[429];
  return codes.every(
    (code) =>
      (!handlerCodes.includes(code) || handlerCodesWithRetryAfter.includes(code)) &&
      GATEWAY_ERROR_RESPONSES.filter((r) => r.code === code).every((r) => 'retryAfterSeconds' in r),
  );
}

/** When API Gateway's own quota answer says to retry: a static header at most (it cannot compute one). */
const gatewayQuotaRetry = (seconds = gatewayErrorResponse('QUOTA_EXCEEDED').retryAfterSeconds) =>
  seconds === undefined ? 'without Retry-After: the quota resets at 00:00 UTC' : `Retry-After ${seconds}`;

/** Retry-After where some answers of the status lack it (API Gateway's quota answer, until it has one). */
const RETRY_AFTER_WHEN_SENT = {
  description: "Seconds to wait before retrying, when the answer says: see the route's 429 description.",
  schema: { type: 'integer', minimum: 1 },
};

/**
 * One error answer: the `{"error":{code,message}}` shape with `code` narrowed to the codes this route can
 * answer with at this status (so a validating proxy catches an undocumented one), and Retry-After on 429s.
 */
function errorResponse(status: number, description: string, codes: readonly string[]) {
  const retryAfter = alwaysRetryAfter(codes) ? { $ref: '#/components/headers/RetryAfter' } : RETRY_AFTER_WHEN_SENT;
  return {
    description: `${description} Codes: ${codes.join(', ')}.`,
    headers: status === 429 ? { 'Retry-After': retryAfter } : undefined,
    content: {
      'application/json': {
        schema: { allOf: [ref('Error'), { properties: { error: { properties: { code: { enum: [...codes] } } } } }] },
        example: { error: { code: codes[0], message: 'A human-readable explanation.' } },
      },
    },
  };
}

/**
 * What API Gateway itself can answer on any route, whatever the handler does: the stage's (and, on keyed
 * routes, the key's usage plan's) throttle, a failed or timed-out integration.
 */
const gatewayErrors = {
  '429': errorResponse(
    429,
    "Too many requests: the stage-wide throttle, or on keyed routes the rate and burst of the key's tier; retry after Retry-After seconds. Never a quota: only POST /uploads spends notes.",
    [gatewayCode('THROTTLED')],
  ),
  '500': errorResponse(500, 'Unexpected failure; the body reveals no internals.', API_ERROR_CODES[500]),
  '504': errorResponse(504, 'The handler did not answer in time; retry.', [gatewayCode('INTEGRATION_TIMEOUT')]),
};

/** Every keyed route: the key is checked by API Gateway (unknown key) and again by the handler (revoked). */
const keyedErrors = {
  '403': errorResponse(403, 'Missing, unregistered or revoked API key.', [gatewayCode('INVALID_API_KEY'), ...API_ERROR_CODES[403]]),
  ...gatewayErrors,
};

const noStore = { 'Cache-Control': { $ref: '#/components/headers/NoStore' } };

const tierTable = TIER_NAMES.map(
  (t) =>
    `| ${t} | ${TIERS[t].dailyQuota} | ${TIERS[t].maxUploadBytes} | ${TIERS[t].maxAudioSeconds} | ${TIERS[t].historyRetentionDays} |`,
).join('\n');

/** The handler refuses a malformed id; API Gateway a path that is not valid percent-encoding (`/jobs/%E0`). */
const jobIdErrors = errorResponse(400, 'The id is not a job id.', ['INVALID_JOB_ID', gatewayCode('BAD_REQUEST_PARAMETERS')]);

const jobIdParameter = {
  name: 'jobId',
  in: 'path',
  required: true,
  description: 'A job id as returned by POST /uploads.',
  schema: { type: 'string', pattern: JOB_ID_PATTERN.source },
};

/** The progress channel: OpenAPI describes HTTP only, so its messages are documented in prose, with the same Job. */
const webSocketGuide = [
  '## Progress over WebSocket',
  '',
  'Connect to the progress URL (`wss://…`, the `ProgressUrl` output; locally `ws://127.0.0.1:3000/ws`) with the',
  'key in the query, `?apiKey=<key>` (browsers cannot set headers on a WebSocket); a missing or unknown key is',
  "refused at the handshake (401 or 403). Then send, for each job to follow (your own; another key's looks missing):",
  '',
  '```json',
  '{"action":"subscribe","jobId":"<jobId from POST /uploads>"}',
  '```',
  '',
  "The server answers with the job's current state straight away, then `{\"type\":\"subscribed\",\"jobId\":\"…\"}`,",
  'and pushes the job again at every status change until it is `completed` or `failed`. Every job message is',
  'the `Job` that `GET /jobs/{jobId}` answers, tagged with its type:',
  '',
  '```json',
  '{"type":"job","jobId":"…","status":"transcribing","progress":50,"createdAt":"…","updatedAt":"…","targetLanguage":"es"}',
  '```',
  '',
  'A refused subscription answers with the usual error shape (`{"error":{"code":"JOB_NOT_FOUND","message":"…"}}`,',
  '`VALIDATION_ERROR` for a malformed message). Subscribe before uploading and no stage can be missed;',
  'connections close after 10 minutes idle (2 hours at most), so reconnect and subscribe again, or fall back to',
  'polling `GET /jobs/{jobId}`.',
];

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Voice Note Translator API',
    version: '1.0.0',
    license: { name: API_LICENSE, identifier: API_LICENSE },
    description: [
      'Upload a voice note with a presigned POST, then follow the job until it is `completed` (transcript +',
      'translation) or `failed` (a stable error code). Every route but `/health`, `/openapi.json` and `/languages`',
      'needs an API key in the `x-api-key` header. Each key belongs to one tier:',
      '',
      '| tier | uploads per UTC day | max upload bytes | max audio seconds | history days |',
      '|---|---|---|---|---|',
      tierTable,
      '',
      'Only POST /uploads spends a note: it is metered exactly against the daily quota (note N+1 gets 429',
      'QUOTA_EXCEEDED with Retry-After = seconds to the next UTC midnight, even under concurrency) and GET /usage',
      'shows the exact count. Every other route is rate-limited per key (429 THROTTLED, Retry-After: 1) and never',
      'blocked by the quota: results of notes already paid for can always be fetched. Errors always have the shape',
      '`{"error":{"code":"SCREAMING_SNAKE","message":"…"}}` (400s may add `details`); each response lists the codes',
      'it can carry.',
      '',
      ...webSocketGuide,
    ].join('\n'),
  },
  servers: [{ url: '/' }],
  security: [{ apiKey: [] }],
  tags: [
    { name: 'notes', description: 'Voice notes: start one with a presigned upload, follow it, page through the history, delete it.' },
    { name: 'account', description: "The calling key's own usage of its daily quota." },
    { name: 'service', description: 'Liveness, this document and service-wide totals.' },
  ],
  paths: {
    '/health': {
      get: {
        operationId: 'health',
        tags: ['service'],
        summary: 'Liveness',
        security: [],
        responses: {
          '200': {
            description: 'The API is up.',
            headers: noStore,
            content: { 'application/json': { schema: ref('Health'), example: { status: 'ok', version: '0.1.0' } } },
          },
          ...gatewayErrors,
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['service'],
        summary: 'This document',
        security: [],
        responses: {
          '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } },
          ...gatewayErrors,
        },
      },
    },
    '/languages': {
      get: {
        operationId: 'getLanguages',
        tags: ['service'],
        summary: 'The languages this deployment recognises and translates into',
        description: [
          'What this deployment can do, from its engines: on AWS every language Amazon Transcribe recognises, each',
          'to every Amazon Translate language; on the local stack whatever its offline engines have installed (some',
          'targets through a pivot language). Offer only these: POST /uploads refuses a target that is',
          'not reachable (from `sourceLanguage` when given, else from any spoken language) with 400',
          '`UNSUPPORTED_LANGUAGE_PAIR`, and a `sourceLanguage` not listed with 400 `UNSUPPORTED_LANGUAGE`, unmetered.',
        ].join(' '),
        security: [],
        responses: {
          '200': {
            description: 'The languages.',
            headers: { 'Cache-Control': { description: `public, max-age=${CACHE_TTLS.publicDocumentSeconds}`, schema: { type: 'string' } } },
            content: {
              'application/json': {
                schema: ref('Languages'),
                example: {
                  spoken: [{ language: 'en', targets: ['ca', 'en', 'es', 'fr'], via: { fr: 'es' } }],
                  targets: ['ca', 'en', 'es', 'fr'],
                },
              },
            },
          },
          ...gatewayErrors,
        },
      },
    },
    '/uploads': {
      post: {
        operationId: 'createUpload',
        tags: ['notes'],
        summary: 'Start a voice note and get a presigned upload',
        description: [
          'Creates a job in status `awaiting_upload` and returns an S3 presigned POST. Send `upload.fields`',
          'followed by the audio as the `file` field (last) in a multipart/form-data POST to `upload.url`',
          `within ${UPLOAD.presignedPostSeconds} seconds. The policy enforces the exact key, the Content-Type`,
          "and 1 byte up to the tier's max upload size. Counts one note against the daily quota; a refused request",
          'does not.',
        ].join(' '),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('CreateUploadRequest') } },
        },
        responses: {
          '201': {
            description: 'Job created; upload the audio next.',
            headers: { ...noStore, Location: { description: 'The job: /jobs/{jobId}.', schema: { type: 'string' } } },
            content: { 'application/json': { schema: ref('CreateUploadResponse') } },
          },
          '400': errorResponse(
            400,
            'Malformed JSON, wrong field types, unknown languages, or languages this deployment cannot recognise or translate into (GET /languages).',
            ['VALIDATION_ERROR', 'INVALID_JSON', 'UNSUPPORTED_LANGUAGE', 'UNSUPPORTED_LANGUAGE_PAIR'],
          ),
          ...keyedErrors,
          '413': errorResponse(413, "Body over the limit, or sizeBytes over the tier's max upload size.", [
            ...API_ERROR_CODES[413],
            gatewayCode('REQUEST_TOO_LARGE'),
          ]),
          '415': errorResponse(415, 'Not an accepted audio type, or a request body that is not JSON.', API_ERROR_CODES[415]),
          // The one metered route: the only one a used-up daily quota refuses.
          '429': errorResponse(
            429,
            [
              "QUOTA_EXCEEDED: the day's uploads are used up (the exact meter; Retry-After is the seconds to the next",
              "UTC midnight). A key that keeps uploading after that is stopped by API Gateway's backstop",
              `(${TIER_NAMES.map((t) => `${t} ${quotaBackstop(TIERS[t].dailyQuota)}`).join(', ')} requests a day, refused ones included; ${gatewayQuotaRetry()}).`,
              `THROTTLED: too many requests at once (Retry-After ${gatewayErrorResponse('THROTTLED').retryAfterSeconds}).`,
            ].join(' '),
            [...API_ERROR_CODES[429], gatewayCode('THROTTLED')],
          ),
        },
      },
    },
    '/jobs': {
      get: {
        operationId: 'listJobs',
        tags: ['notes'],
        summary: "The caller's history, newest first",
        parameters: [
          {
            name: 'limit',
            in: 'query',
            description: `Page size, default ${API.historyPageDefault}.`,
            schema: { type: 'integer', minimum: 1, maximum: API.historyPageMax, default: API.historyPageDefault },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The `nextCursor` of the previous page. Opaque and bound to the calling key.',
            schema: { type: 'string', maxLength: 1024 },
          },
        ],
        responses: {
          '200': {
            description: 'One page of jobs.',
            headers: noStore,
            content: { 'application/json': { schema: ref('JobPage') } },
          },
          '400': errorResponse(400, 'Bad limit, or a cursor that was altered or issued to another key.', [
            'VALIDATION_ERROR',
            'INVALID_CURSOR',
          ]),
          ...keyedErrors,
        },
      },
    },
    '/jobs/{jobId}': {
      parameters: [jobIdParameter],
      get: {
        operationId: 'getJob',
        tags: ['notes'],
        summary: "One of the caller's jobs",
        responses: {
          '200': { description: 'The job.', headers: noStore, content: { 'application/json': { schema: ref('Job') } } },
          '400': jobIdErrors,
          ...keyedErrors,
          '404': errorResponse(404, "No such job for this key (another key's job looks exactly the same).", API_ERROR_CODES[404]),
        },
      },
      delete: {
        operationId: 'deleteJob',
        tags: ['notes'],
        summary: 'Delete a job, its history entry and its audio',
        description:
          "Idempotent. Answers 204 also when the job is already gone or belongs to another key; another key's job is never touched.",
        responses: {
          '204': { description: 'Deleted (or nothing to delete).' },
          '400': jobIdErrors,
          ...keyedErrors,
        },
      },
    },
    '/usage': {
      get: {
        operationId: 'getUsage',
        tags: ['account'],
        summary: "Today's exact metered usage for the calling key",
        responses: {
          '200': { description: 'Usage.', headers: noStore, content: { 'application/json': { schema: ref('Usage') } } },
          ...keyedErrors,
        },
      },
    },
    '/stats': {
      get: {
        operationId: 'getStats',
        tags: ['service'],
        summary: 'Service-wide totals (never per-user data)',
        description: `Answered from memory for up to ${CACHE_TTLS.statsSeconds} seconds.`,
        responses: {
          '200': {
            description: 'Totals.',
            headers: {
              'Cache-Control': { description: 'private, max-age=<seconds left>', schema: { type: 'string' } },
            },
            content: { 'application/json': { schema: ref('Stats') } },
          },
          ...keyedErrors,
        },
      },
    },
  },
  components: {
    securitySchemes: {
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Issued with `npm run keys -- create`.' },
    },
    headers: {
      RetryAfter: {
        description: "Seconds to wait before retrying: see the route's 429 description.",
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
      NoStore: { description: 'Per-caller responses are never cached.', schema: { type: 'string', const: 'no-store' } },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
              message: { type: 'string' },
              details: { type: 'object', description: 'Extra facts for 4xx errors, e.g. validation issues.' },
            },
          },
        },
      },
      Health: {
        type: 'object',
        required: ['status', 'version'],
        properties: { status: { const: 'ok' }, version: { type: 'string' } },
      },
      TargetLanguage: {
        type: 'string',
        enum: [...TRANSLATE_LANGUAGES],
        description: 'The codes the product knows (Amazon Translate’s); what this deployment offers is GET /languages.',
      },
      SpokenLanguage: {
        type: 'string',
        enum: Object.keys(SPOKEN_LANGUAGE_LOCALES).sort(),
        description: 'The codes the product knows (Amazon Transcribe’s); what this deployment recognises is GET /languages.',
      },
      Languages: {
        type: 'object',
        required: ['spoken', 'targets'],
        properties: {
          spoken: {
            type: 'array',
            description: 'Each spoken language this deployment recognises, sorted.',
            items: {
              type: 'object',
              required: ['language', 'targets', 'via'],
              properties: {
                language: ref('SpokenLanguage'),
                targets: {
                  type: 'array',
                  items: ref('TargetLanguage'),
                  description: 'Every target a note in this language can be given, sorted; includes the language itself (transcript only).',
                },
                via: {
                  type: 'object',
                  additionalProperties: ref('TargetLanguage'),
                  description: 'Targets translated through a pivot language, with that language (`{"fr":"es"}`); the other targets are direct.',
                },
              },
            },
          },
          targets: {
            type: 'array',
            items: ref('TargetLanguage'),
            description: 'The targets POST /uploads accepts without a `sourceLanguage` (reachable from at least one spoken language), sorted.',
          },
        },
      },
      CreateUploadRequest: {
        type: 'object',
        required: ['contentType'],
        additionalProperties: false,
        properties: {
          contentType: {
            type: 'string',
            description: 'Audio media type; parameters such as `;codecs=opus` are accepted and dropped.',
            enum: [...UPLOAD.contentTypes],
          },
          sizeBytes: { type: 'integer', minimum: 1, description: "Refused up front (413) if over the tier's max." },
          targetLanguage: { ...ref('TargetLanguage'), default: DEFAULT_TARGET_LANGUAGE },
          sourceLanguage: { ...ref('SpokenLanguage'), description: 'Omit to let the service identify it.' },
        },
        example: { contentType: 'audio/mp4', sizeBytes: 48213, targetLanguage: 'en' },
      },
      CreateUploadResponse: {
        type: 'object',
        required: ['jobId', 'status', 'upload'],
        properties: {
          jobId: { type: 'string', pattern: JOB_ID_PATTERN.source },
          status: { const: 'awaiting_upload' },
          upload: {
            type: 'object',
            required: ['url', 'fields', 'expiresAt'],
            properties: {
              url: { type: 'string', format: 'uri' },
              fields: { type: 'object', additionalProperties: { type: 'string' } },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
      JobStatus: {
        type: 'string',
        enum: [...JOB_STATUSES],
        description: 'Only `completed` and `failed` are terminal.',
      },
      Job: {
        type: 'object',
        required: ['jobId', 'status', 'progress', 'createdAt', 'updatedAt', 'targetLanguage'],
        properties: {
          jobId: { type: 'string', pattern: JOB_ID_PATTERN.source },
          status: ref('JobStatus'),
          progress: { type: 'integer', minimum: 0, maximum: 100 },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          sourceLanguage: ref('SpokenLanguage'),
          targetLanguage: ref('TargetLanguage'),
          result: {
            type: 'object',
            description: 'Present when completed.',
            required: ['transcript', 'detectedLanguage', 'translation', 'cached'],
            properties: {
              transcript: { type: 'string' },
              detectedLanguage: ref('TargetLanguage'),
              translation: { type: 'string' },
              cached: { type: 'boolean' },
            },
          },
          error: {
            type: 'object',
            description: `Present when failed. A job awaiting its upload for more than ${UPLOAD.awaitingUploadExpirySeconds} seconds shows as failed UPLOAD_EXPIRED.`,
            required: ['code', 'message'],
            properties: { code: { type: 'string', enum: [...PIPELINE_FAILURE_CODES] }, message: { type: 'string' } },
          },
        },
      },
      JobPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: ref('Job') },
          nextCursor: { type: ['string', 'null'], description: 'null on the last page.' },
        },
      },
      Usage: {
        type: 'object',
        required: ['tier', 'dailyQuota', 'used', 'remaining', 'resetsAt'],
        properties: {
          tier: { type: 'string', enum: [...TIER_NAMES] },
          dailyQuota: { type: 'integer' },
          used: { type: 'integer', minimum: 0 },
          remaining: { type: 'integer', minimum: 0 },
          resetsAt: { type: 'string', format: 'date-time', description: 'Next UTC midnight.' },
        },
      },
      Stats: {
        type: 'object',
        required: ['notesTranslated', 'notesFailed', 'cacheHits', 'cacheHitRatio', 'languages', 'failures', 'generatedAt'],
        properties: {
          notesTranslated: { type: 'integer' },
          notesFailed: { type: 'integer' },
          cacheHits: { type: 'integer' },
          cacheHitRatio: { type: 'number', minimum: 0, maximum: 1 },
          languages: {
            type: 'object',
            properties: {
              detected: { type: 'object', additionalProperties: { type: 'integer' } },
              target: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
          failures: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Failed notes per code.' },
          generatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};
