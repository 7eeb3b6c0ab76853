/**
 * Powertools Logger and Metrics, one of each per function container. The service name comes
 * from POWERTOOLS_SERVICE_NAME and the level from POWERTOOLS_LOG_LEVEL (set in serverless.yml).
 * Tracing is Lambda's active X-Ray tracing (serverless.yml `tracing`); the Powertools Tracer is
 * left out because aws-xray-sdk-core would more than double every bundle.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'MlopsPipeline' });
