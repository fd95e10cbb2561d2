/**
 * The job lifecycle's statuses and transitions, as plain data: the one definition the service (through
 * functions/jobs/job.ts, which re-exports it beside the Job type) and the API client (which may bundle
 * lib/config only) both read.
 */
/** Lifecycle of a voice note. Only `completed` and `failed` are terminal. */
export const JOB_STATUSES = [
  'awaiting_upload',
  'queued',
  'normalizing',
  'transcribing',
  'translating',
  'completed',
  'failed',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Every status change a job may make, as data: for each status, the statuses it may move to. Handlers name
 * only the status they enter; the allowed predecessors are derived from here (see `predecessorsOf`), so a
 * new stage or path is one edit.
 *
 * - A stage may re-enter itself: Step Functions retries a task that already moved the job (and S3 may
 *   notify an upload twice), and the retry must find its job where it left it.
 * - Every non-terminal status may fail (the pipeline's Catch, the execution watchdog, the intake on its
 *   last attempt, a sweeper ending jobs that never got their upload or were stranded by a crash).
 * - `completed` is reached after translation, or straight from normalisation on an audio-result cache hit.
 * - Nothing leaves `completed` or `failed`: that is what makes them terminal, and what makes the terminal
 *   write (and its stats, metrics and quota refund) happen at most once per job.
 */
export const JOB_TRANSITIONS = {
  awaiting_upload: ['queued', 'failed'],
  queued: ['queued', 'normalizing', 'failed'],
  normalizing: ['normalizing', 'transcribing', 'completed', 'failed'],
  transcribing: ['transcribing', 'translating', 'failed'],
  translating: ['translating', 'completed', 'failed'],
  completed: [],
  failed: [],
} as const satisfies Readonly<Record<JobStatus, readonly JobStatus[]>>;

/** Statuses with no way out (derived from JOB_TRANSITIONS): `completed` and `failed`. */
export type TerminalStatus = {
  [S in JobStatus]: (typeof JOB_TRANSITIONS)[S] extends readonly [] ? S : never;
}[JobStatus];

export const TERMINAL_STATUSES: readonly TerminalStatus[] = JOB_STATUSES.filter(
  (status): status is TerminalStatus => JOB_TRANSITIONS[status].length === 0,
);

/** A status the pipeline moves a job into: not the one it is created in, not a terminal one. */
export type StageStatus = Exclude<JobStatus, 'awaiting_upload' | TerminalStatus>;

/** Every status a job is still in flight in (derived): the statuses the job sweeper looks at. */
export type InFlightStatus = Exclude<JobStatus, TerminalStatus>;
export const IN_FLIGHT_STATUSES: readonly InFlightStatus[] = JOB_STATUSES.filter(
  (status): status is InFlightStatus => JOB_TRANSITIONS[status].length > 0,
);
