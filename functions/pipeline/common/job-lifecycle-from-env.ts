import { jobRepositoryFromEnv } from '../../jobs/dynamo-job-repository';
import { JobLifecycle } from '../../jobs/job-lifecycle';
import { progressPublisherFromEnv } from '../../progress/api-gateway-connection-poster';
import { statsRepositoryFromEnv } from '../../stats/dynamo-stats-repository';
import { usageMeterFromEnv } from '../../usage/dynamo-usage-meter';
import { UsageService } from '../../usage/usage-service';
import { pipelineNoteMetrics } from './pipeline-metrics';

/**
 * The lifecycle every pipeline function uses: the table (jobs, stats and quota meters), the WebSocket
 * progress publisher and Powertools EMF metrics, all from the environment the function was deployed with.
 */
export function jobLifecycleFromEnv(): JobLifecycle {
  return new JobLifecycle({
    jobs: jobRepositoryFromEnv(),
    progress: progressPublisherFromEnv(),
    stats: statsRepositoryFromEnv(),
    quota: new UsageService(usageMeterFromEnv()),
    metrics: pipelineNoteMetrics,
  });
}
