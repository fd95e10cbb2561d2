import type { JobView } from '../jobs/job-view';

/**
 * What a subscribed WebSocket client receives on every status change of a job, and once on subscribing:
 * the public job view (toPublicJob, the same as GET /jobs/{id}) tagged with its message type.
 */
export type JobProgressMessage = { readonly type: 'job' } & JobView;

export function jobProgressMessage(view: JobView): JobProgressMessage {
  return { type: 'job', ...view };
}
