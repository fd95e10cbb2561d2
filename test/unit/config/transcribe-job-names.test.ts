import { describe, expect, it } from 'vitest';
import { jobIdFromTranscriptionJobName, transcriptionJobName, transcriptionJobsArn } from '../../../lib/config/limits';

describe('Transcribe job names', () => {
  it('round-trip between job ids and the stage’s Transcribe job names', () => {
    expect(transcriptionJobName('dev', 'abc')).toBe('vnt-dev-abc');
    expect(jobIdFromTranscriptionJobName('dev', 'vnt-dev-abc')).toBe('abc');
    expect(jobIdFromTranscriptionJobName('dev', 'someone-elses-job')).toBeUndefined();
  });

  it('ignore another stage’s jobs in the same account', () => {
    expect(jobIdFromTranscriptionJobName('dev', transcriptionJobName('prod', 'abc'))).toBeUndefined();
    expect(jobIdFromTranscriptionJobName('dev', 'vnt-prod-abc')).toBeUndefined();
    expect(jobIdFromTranscriptionJobName('prod', 'vnt-dev-abc')).toBeUndefined();
  });

  it('are all covered by one IAM resource pattern per stage', () => {
    const scope = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
    expect(transcriptionJobsArn(scope, 'dev')).toBe('arn:aws:transcribe:eu-west-1:123456789012:transcription-job/vnt-dev-*');
  });
});
