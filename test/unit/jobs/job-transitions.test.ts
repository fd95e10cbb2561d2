import { describe, expect, it } from 'vitest';
import {
  canTransition,
  isTerminal,
  JOB_STATUSES,
  JOB_TRANSITIONS,
  type JobStatus,
  predecessorsOf,
  STATUS_PROGRESS,
  TERMINAL_STATUSES,
} from '../../../functions/jobs/job';

const NON_TERMINAL = JOB_STATUSES.filter((status) => !isTerminal(status));

describe('JOB_TRANSITIONS', () => {
  it('makes exactly completed and failed terminal: nothing leaves them', () => {
    expect(TERMINAL_STATUSES).toEqual(['completed', 'failed']);
    for (const terminal of TERMINAL_STATUSES) {
      for (const to of JOB_STATUSES) expect(canTransition(terminal, to)).toBe(false);
    }
  });

  it.each(NON_TERMINAL)('lets a job in %s fail (the Catch, the watchdog, the intake, a sweeper)', (status) => {
    expect(canTransition(status, 'failed')).toBe(true);
  });

  it.each(['queued', 'normalizing', 'transcribing', 'translating'] as const)(
    'lets a retried task find its job already in %s',
    (stage) => {
      expect(canTransition(stage, stage)).toBe(true);
    },
  );

  it('derives the allowed predecessors of each status from the table', () => {
    expect(predecessorsOf('queued')).toEqual(['awaiting_upload', 'queued']);
    expect(predecessorsOf('normalizing')).toEqual(['queued', 'normalizing']);
    expect(predecessorsOf('transcribing')).toEqual(['normalizing', 'transcribing']);
    expect(predecessorsOf('translating')).toEqual(['transcribing', 'translating']);
    // After translation, or from the audio-result cache in normalisation.
    expect(predecessorsOf('completed')).toEqual(['normalizing', 'translating']);
    expect(predecessorsOf('failed')).toEqual(NON_TERMINAL);
    expect(predecessorsOf('awaiting_upload')).toEqual([]);
  });

  it('never moves a job backwards: progress does not decrease along any transition', () => {
    for (const from of JOB_STATUSES) {
      for (const to of JOB_TRANSITIONS[from] as readonly JobStatus[]) {
        expect(STATUS_PROGRESS[to], `${from} → ${to}`).toBeGreaterThanOrEqual(STATUS_PROGRESS[from]);
      }
    }
  });

  it('reaches every status from awaiting_upload', () => {
    const reached = new Set<JobStatus>(['awaiting_upload']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of [...reached]) {
        for (const to of JOB_TRANSITIONS[from] as readonly JobStatus[]) {
          if (!reached.has(to)) {
            reached.add(to);
            grew = true;
          }
        }
      }
    }
    expect([...reached].sort()).toEqual([...JOB_STATUSES].sort());
  });
});
