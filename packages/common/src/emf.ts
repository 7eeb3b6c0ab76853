/** Powertools Metrics (CloudWatch embedded metric format), one instance per function container. */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'MlopsPipeline' });
