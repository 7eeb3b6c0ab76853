/**
 * Powertools Logger and Metrics, one of each per function container. The service name comes
 * from POWERTOOLS_SERVICE_NAME and the level from POWERTOOLS_LOG_LEVEL (set in serverless.yml).
 * Tracing is Lambda's active X-Ray tracing (serverless.yml `tracing`); the Powertools Tracer is
 * left out because aws-xray-sdk-core would more than double every bundle.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger();
// Metrics live in their own module: only mlops_eval publishes any, and the Powertools Metrics
// package (10 KB, not marked free of side effects) then stays out of every other bundle.
export { metrics } from './emf';
