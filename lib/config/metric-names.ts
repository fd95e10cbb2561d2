/**
 * Custom metrics the functions emit with Powertools Metrics (EMF) and the dashboard/alarms read. Namespace
 * and dimension names are shared so a rename cannot silently empty a dashboard widget.
 */
export const METRICS = {
  namespace: 'VoiceNoteTranslator',
  /** Dimension set on every metric: the Powertools service name. */
  serviceDimension: 'service',
  /**
   * Dimension set on every metric: the deployment stage. Stages may share an account, and so this
   * namespace; every dashboard widget and alarm filters on it.
   */
  stageDimension: 'stage',
  /** Extra dimension on a second NotesFailed datapoint, so failures can be graphed by code. */
  failureCodeDimension: 'failureCode',
  /**
   * Dimension of RequestDuration: the API route as `METHOD /resource/{param}` (API Gateway's template, never
   * the raw path, so the values are the routes of routes.ts).
   */
  routeDimension: 'route',
  names: {
    uploadsCreated: 'UploadsCreated',
    quotaRejected: 'QuotaRejected',
    notesCompleted: 'NotesCompleted',
    notesFailed: 'NotesFailed',
    cacheHit: 'AudioCacheHit',
    cacheMiss: 'AudioCacheMiss',
    textCacheHit: 'TextCacheHit',
    normalizeMs: 'NormalizeDuration',
    transcribeMs: 'TranscribeDuration',
    translateMs: 'TranslateDuration',
    totalMs: 'NoteDuration',
    engineThrottled: 'EngineThrottled',
    /** A short note found the stage's Transcribe streams all taken and went to the batch path. */
    fastPathStreamsBusy: 'FastPathStreamsBusy',
    /** A WebSocket $connect reached its handler without the API key id API Gateway should have set. */
    webSocketConnectWithoutKeyId: 'WebSocketConnectWithoutKeyId',
    /** An API request's time in its handler, per route (its own dimension set: service, stage, route). */
    requestMs: 'RequestDuration',
    /** Jobs in flight the job sweeper had to restart or end: a crash, a lost event or a stuck execution. */
    stuckJobs: 'StuckJobs',
  },
  services: { api: 'vnt-api', pipeline: 'vnt-pipeline' },
} as const;
