import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { ENV } from '../../lib/config/env-names';
import { METRICS } from '../../lib/config/metric-names';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { JobSweeper, type SweepReport } from './common/job-sweeper';
import { jobExecutionsOf, stepFunctionsFromEnv } from './common/step-functions';
import { taskHandler } from './common/task-handler';

/** EventBridge's scheduled event (the sweeper's rule); its fields beyond these are not needed. */
export const ScheduledEvent = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

export interface SweepJobsDeps {
  readonly sweeper: Pick<JobSweeper, 'sweep'>;
}

/** The run stops taking new jobs with this much of the function's time left, so it ends cleanly. */
const STOP_MARGIN_MS = 5_000;

/**
 * The job sweeper on its schedule (see JobSweeper): ends or restarts every job a crash or a lost event left in
 * flight. Counts the in-flight jobs it had to act on (UPLOAD_EXPIRED aside, which is a client that never
 * uploaded, not a fault) as StuckJobs, which operators are alarmed on.
 */
export function sweepJobs(deps: SweepJobsDeps) {
  return async (_event: z.infer<typeof ScheduledEvent>, context: Context): Promise<SweepReport> => {
    const report = await deps.sweeper.sweep(() => context.getRemainingTimeInMillis() > STOP_MARGIN_MS);
    const { UPLOAD_EXPIRED: expired = 0, ...failures } = report.failed;
    const stuck = report.restarted + Object.values(failures).reduce((sum, n) => sum + n, 0);
    metrics.addMetric(METRICS.names.stuckJobs, MetricUnit.Count, stuck);
    const summary = { ...report, stuck, uploadsExpired: expired };
    if (stuck > 0 || !report.complete) logger.warn('Job sweep found jobs left in flight', summary);
    else logger.info('Job sweep done', summary);
    return report;
  };
}

export const handler = taskHandler(
  ScheduledEvent,
  sweepJobs({
    sweeper: new JobSweeper({
      index: jobRepositoryFromEnv(),
      lifecycle: jobLifecycleFromEnv(),
      executions: jobExecutionsOf(stepFunctionsFromEnv(), requireEnv(ENV.stateMachineArn), requireEnv(ENV.uploadsBucket)),
    }),
  }),
);
