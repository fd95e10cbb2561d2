/**
 * Single-table design shared by the stateful stack (attribute names, GSI, TTL) and the repositories
 * (key builders). One table is both the cache and the history:
 *
 * | item                      | pk                         | sk                 | gsi1pk           | gsi1sk                 |
 * |---------------------------|----------------------------|--------------------|------------------|------------------------|
 * | job (and history entry)   | JOB#<jobId>                | JOB                | OWNER#<ownerId>  | <createdAt>#<jobId>    |
 * | … while not terminal      | + gsi2pk INFLIGHT#<status>, gsi2sk <createdAt>#<jobId> (GSI2, sparse)         |
 * | transcription callback    | JOB#<jobId>                | TASK#TRANSCRIBE    |                  |                        |
 * | progress subscription     | JOB#<jobId>                | CONN#<connectionId>|                  |                        |
 * | connection → job index    | CONN#<connectionId>        | JOB#<jobId>        |                  |                        |
 * | connection owner          | CONN#<connectionId>        | OWNER              |                  |                        |
 * | audio-result cache        | AUDIO#<pcmSha256>#<target>#<hint|auto> | RESULT |                  |                        |
 * | text-translation cache    | TEXT#<sha256(text+langs)>  | TRANSLATION        |                  |                        |
 * | daily usage meter         | USAGE#<apiKeyId>           | DAY#<yyyy-mm-dd>   |                  |                        |
 * | API key → tier            | KEY#<apiKeyId>             | KEY                | KEYS             | <createdAt>#<apiKeyId> |
 * | service totals (/stats)   | STATS                      | TOTALS             |                  |                        |
 *
 * History newest-first is a descending Query on GSI1 for OWNER#<ownerId>. Jobs not yet completed or failed
 * are in GSI2 under their status, oldest first: the job sweeper Queries it (never a Scan) for jobs a crash or
 * a lost event left in flight. The job repository's conditional status write sets GSI2's partition key with
 * every non-terminal status and removes both GSI2 keys with the terminal one, so the index only ever holds
 * jobs in flight. Its partitions are per status: each note writes it about six times, far under a partition's
 * 1,000 writes a second at this service's scale (shard the partition key by a suffix if that ever changes). Every expiring item carries `expiresAt` (epoch seconds): DynamoDB TTL deletes it lazily, so
 * readers also filter on it.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /** History by owner; pages render from the index alone, so it projects everything. */
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
  /** Jobs in flight by status, oldest first (sparse; keys only: the sweeper reads each job it acts on). */
  gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
} as const;

/** Every global secondary index of the table, for the stack and the local emulator alike. */
export const GLOBAL_SECONDARY_INDEXES = [TABLE.gsi1, TABLE.gsi2] as const;

/** The primary key of a stored item (what a delete or a get needs). */
export function primaryKeyOf(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
}

export const keys = {
  job: (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'JOB' }),
  jobHistory: (ownerId: string, createdAt: string, jobId: string) => ({
    gsi1pk: `OWNER#${ownerId}`,
    gsi1sk: `${createdAt}#${jobId}`,
  }),
  ownerHistory: (ownerId: string) => `OWNER#${ownerId}`,
  /** A job in flight, in GSI2: its status partition, and its age as the sort key. */
  jobInFlight: (status: string, createdAt: string, jobId: string) => ({
    gsi2pk: `INFLIGHT#${status}`,
    gsi2sk: `${createdAt}#${jobId}`,
  }),
  /** GSI2's partition of the jobs in `status`. */
  inFlightStatus: (status: string) => `INFLIGHT#${status}`,
  transcriptionCallback: (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'TASK#TRANSCRIBE' }),
  subscription: (jobId: string, connectionId: string) => ({ pk: `JOB#${jobId}`, sk: `CONN#${connectionId}` }),
  connection: (connectionId: string, jobId: string) => ({ pk: `CONN#${connectionId}`, sk: `JOB#${jobId}` }),
  /** The API key a WebSocket connection authenticated with at $connect (later frames carry no key). */
  connectionOwner: (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'OWNER' }),
  connectionPartition: (connectionId: string) => `CONN#${connectionId}`,
  jobPartition: (jobId: string) => `JOB#${jobId}`,
  /** The caller's language hint is part of the key: a wrong hint's output must not answer hint-less notes. */
  audioResult: (pcmSha256: string, targetLanguage: string, languageHint: string | null | undefined) => ({
    pk: `AUDIO#${pcmSha256}#${targetLanguage}#${languageHint ?? 'auto'}`,
    sk: 'RESULT',
  }),
  textTranslation: (hash: string) => ({ pk: `TEXT#${hash}`, sk: 'TRANSLATION' }),
  usage: (apiKeyId: string, day: string) => ({ pk: `USAGE#${apiKeyId}`, sk: `DAY#${day}` }),
  apiKey: (apiKeyId: string) => ({ pk: `KEY#${apiKeyId}`, sk: 'KEY' }),
  apiKeyListing: (createdAt: string, apiKeyId: string) => ({ gsi1pk: 'KEYS', gsi1sk: `${createdAt}#${apiKeyId}` }),
  stats: () => ({ pk: 'STATS', sk: 'TOTALS' }),
} as const;
