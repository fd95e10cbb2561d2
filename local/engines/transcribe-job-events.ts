import { randomUUID } from 'node:crypto';
import { LOCAL } from '../config';

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

/** Where the local batch engine announces a finished job (the local stack puts it on its event bus). */
export type TranscribeJobStateChangeListener = (event: TranscribeJobStateChangeEvent) => void;

/** The event Transcribe would send to the default bus for this job, in the local stack's account and region. */
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
    account: LOCAL.account,
    time: now.toISOString(),
    region: LOCAL.region,
    resources: [],
    detail: { TranscriptionJobName: transcriptionJobName, TranscriptionJobStatus: status },
  };
}
