/**
 * Imported first by the workflow harness: Powertools reads these when the shared logger/metrics singletons
 * are created (at import), before any endpoint is known. Set POWERTOOLS_LOG_LEVEL=DEBUG to see handler logs.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';
