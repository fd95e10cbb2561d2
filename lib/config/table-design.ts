/**
 * Single-table design shared by the stateful stack (attribute names, GSI, TTL), the repositories (key
 * builders) and the IAM grants (partition prefixes). One table is both the cache and the history:
 *
 * | item                      | pk                         | sk                 | gsi1pk           | gsi1sk                 |
 * |---------------------------|----------------------------|--------------------|------------------|------------------------|
 * | job (and history entry)   | JOB#<jobId>                | JOB                | OWNER#<ownerId>  | <createdAt>#<jobId>    |
 * | … while not terminal      | + gsi2pk INFLIGHT#<status>, gsi2sk <createdAt>#<jobId> (GSI2, sparse)         |
 * | transcription callback    | CALLBACK#<jobId>           | TRANSCRIBE         |                  |                        |
 * | progress subscription     | SUB#<jobId>                | CONN#<connectionId>|                  |                        |
 * | connection → job index    | CONN#<connectionId>        | JOB#<jobId>        |                  |                        |
 * | connection owner          | CONN#<connectionId>        | OWNER              |                  |                        |
 * | audio-result cache        | AUDIO#<pcmSha256>#<target>#<hint|auto> | RESULT |                  |                        |
 * | text-translation cache    | TEXT#<sha256(text+langs)>  | TRANSLATION        |                  |                        |
 * | daily usage meter         | USAGE#<apiKeyId>           | DAY#<yyyy-mm-dd>   |                  |                        |
 * | API key → tier            | KEY#<apiKeyId>             | KEY                | KEYS             | <createdAt>#<apiKeyId> |
 * | service totals (/stats)   | STATS                      | TOTALS             |                  |                        |
 * | Transcribe stream lease   | LEASE#transcribe-streams   | LEASE              |                  |                        |
 *
 * History newest-first is a descending Query on GSI1 for OWNER#<ownerId>. Jobs not yet completed or failed
 * are in GSI2 under their status, oldest first: the job sweeper Queries it (never a Scan) for jobs a crash or
 * a lost event left in flight. The job repository's conditional status write sets GSI2's partition key with
 * every non-terminal status and removes both GSI2 keys with the terminal one, so the index only ever holds
 * jobs in flight. Its partitions are per status: each note writes it about six times, far under a partition's
 * 1,000 writes a second at this service's scale (shard the partition key by a suffix if that ever changes).
 * Every expiring item carries `expiresAt` (epoch seconds): DynamoDB TTL deletes it lazily, so readers also
 * filter on it.
 *
 * Each item type has a partition of its own, because IAM can scope a function to partition key values
 * (`dynamodb:LeadingKeys`) but not to sort keys: the progress functions, which write subscriptions, must not be
 * able to write the job items, so subscriptions and callbacks do not share the job's partition. A job's own
 * items are still found by its id (SUB#<jobId>, CALLBACK#<jobId>), and deleting a job deletes them.
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

/**
 * The partition of each item type, defined once: the key builders below use them, and the IAM grants
 * (lib/constructs/data-access.ts) name them in `dynamodb:LeadingKeys` conditions. A value ending in `#` is
 * followed by an id; the others are whole partition key values.
 */
export const PARTITIONS = {
  job: 'JOB#',
  transcriptionCallback: 'CALLBACK#',
  subscription: 'SUB#',
  connection: 'CONN#',
  audioResult: 'AUDIO#',
  textTranslation: 'TEXT#',
  usage: 'USAGE#',
  apiKey: 'KEY#',
  stats: 'STATS',
  streamLease: 'LEASE#transcribe-streams',
} as const;
export type ItemType = keyof typeof PARTITIONS;

/** GSI1's partitions: history by owner, and the operator's key listing (bin/keys.ts). */
export const GSI1_PARTITIONS = {
  ownerHistory: 'OWNER#',
  apiKeyListing: 'KEYS',
} as const;
export type Gsi1Partition = keyof typeof GSI1_PARTITIONS;

/** GSI2's partitions: the jobs in flight, one partition per status (`INFLIGHT#<status>`). */
export const GSI2_PARTITIONS = {
  inFlight: 'INFLIGHT#',
} as const;

/** The `dynamodb:LeadingKeys` pattern matching every partition key value of one kind. */
export function leadingKeyPattern(partition: string): string {
  return partition.endsWith('#') ? `${partition}*` : partition;
}

/** The primary key of a stored item (what a delete or a get needs). */
export function primaryKeyOf(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
}

const P = PARTITIONS;

export const keys = {
  job: (jobId: string) => ({ pk: `${P.job}${jobId}`, sk: 'JOB' }),
  jobHistory: (ownerId: string, createdAt: string, jobId: string) => ({
    gsi1pk: keys.ownerHistory(ownerId),
    gsi1sk: `${createdAt}#${jobId}`,
  }),
  ownerHistory: (ownerId: string) => `${GSI1_PARTITIONS.ownerHistory}${ownerId}`,
  /** A job in flight, in GSI2: its status partition, and its age as the sort key. */
  jobInFlight: (status: string, createdAt: string, jobId: string) => ({
    gsi2pk: keys.inFlightStatus(status),
    gsi2sk: `${createdAt}#${jobId}`,
  }),
  /** GSI2's partition of the jobs in `status`. */
  inFlightStatus: (status: string) => `${GSI2_PARTITIONS.inFlight}${status}`,
  /** The Step Functions task token a batch transcription completes. */
  transcriptionCallback: (jobId: string) => ({ pk: `${P.transcriptionCallback}${jobId}`, sk: 'TRANSCRIBE' }),
  subscription: (jobId: string, connectionId: string) => ({ pk: keys.subscriptionPartition(jobId), sk: `CONN#${connectionId}` }),
  /** Every connection following a job (what the publisher reads). */
  subscriptionPartition: (jobId: string) => `${P.subscription}${jobId}`,
  connection: (connectionId: string, jobId: string) => ({ pk: keys.connectionPartition(connectionId), sk: `JOB#${jobId}` }),
  /** The API key a WebSocket connection authenticated with at $connect (later frames carry no key). */
  connectionOwner: (connectionId: string) => ({ pk: keys.connectionPartition(connectionId), sk: 'OWNER' }),
  connectionPartition: (connectionId: string) => `${P.connection}${connectionId}`,
  jobPartition: (jobId: string) => `${P.job}${jobId}`,
  /** The caller's language hint is part of the key: a wrong hint's output must not answer hint-less notes. */
  audioResult: (pcmSha256: string, targetLanguage: string, languageHint: string | null | undefined) => ({
    pk: `${P.audioResult}${pcmSha256}#${targetLanguage}#${languageHint ?? 'auto'}`,
    sk: 'RESULT',
  }),
  textTranslation: (hash: string) => ({ pk: `${P.textTranslation}${hash}`, sk: 'TRANSLATION' }),
  usage: (apiKeyId: string, day: string) => ({ pk: `${P.usage}${apiKeyId}`, sk: `DAY#${day}` }),
  apiKey: (apiKeyId: string) => ({ pk: `${P.apiKey}${apiKeyId}`, sk: 'KEY' }),
  apiKeyListing: (createdAt: string, apiKeyId: string) => ({
    gsi1pk: GSI1_PARTITIONS.apiKeyListing,
    gsi1sk: `${createdAt}#${apiKeyId}`,
  }),
  stats: () => ({ pk: P.stats, sk: 'TOTALS' }),
  /** The stage's Transcribe streams in flight and the claims that hold them (one item; it never expires). */
  streamLease: () => ({ pk: P.streamLease, sk: 'LEASE' }),
} as const;
