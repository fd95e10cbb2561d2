import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** The EventBridge event Amazon Transcribe emits when a job completes or fails (the fields we read). */
export interface TranscribeJobStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Transcribe Job State Change';
  readonly source: 'aws.transcribe';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly TranscriptionJobName: string;
    readonly TranscriptionJobStatus: 'COMPLETED' | 'FAILED';
  };
}

/** Name of the event `localTranscribeEvents` emits. */
export const TRANSCRIBE_JOB_STATE_CHANGE = 'Transcribe Job State Change';

/**
 * Where the local batch engine announces finished jobs, in the same shape as the EventBridge events the AWS
 * rule delivers. The local stack subscribes (`localTranscribeEvents.on(TRANSCRIBE_JOB_STATE_CHANGE, e => ...)`)
 * and invokes the Transcribe-events handler with each event, unchanged.
 */
export const localTranscribeEvents = new EventEmitter<{
  [TRANSCRIBE_JOB_STATE_CHANGE]: [TranscribeJobStateChangeEvent];
}>();

export function transcribeJobStateChange(
  transcriptionJobName: string,
  status: 'COMPLETED' | 'FAILED',
  now: Date = new Date(),
): TranscribeJobStateChangeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Transcribe Job State Change',
    source: 'aws.transcribe',
    account: '000000000000',
    time: now.toISOString(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail: { TranscriptionJobName: transcriptionJobName, TranscriptionJobStatus: status },
  };
}
