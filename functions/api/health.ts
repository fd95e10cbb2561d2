import { ENV } from '../../lib/config/env-names';
import type { ApiEvent, ApiResult } from '../http/api-event';
import { httpHandler } from '../http/http-handler';
import { json } from '../http/responses';
import { requireEnv } from '../shared/env';

const version = requireEnv(ENV.serviceVersion);

/** What GET /health answers. */
export interface HealthView {
  readonly status: 'ok';
  readonly version: string;
}

/** Liveness only: touches no dependency, so it stays fast and says nothing about callers. */
export async function health(_event: ApiEvent): Promise<ApiResult> {
  return json(200, { status: 'ok', version } satisfies HealthView);
}

export const handler = httpHandler(health);
