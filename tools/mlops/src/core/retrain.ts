/**
 * `retrain`: the stage's scheduled-retraining path, by hand. The CLI invokes the stage's mlops_ingest
 * with the request its EventBridge Scheduler schedule sends (resources/retraining.yml), the tick
 * being now, so the family's latest dataset runs again as a run named after this moment.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { FamilyNameSchema, IngestOutputSchema, RetrainRequestSchema, type RetrainRequest } from '@mlops/common';
import { OperationError, UsageError } from '../errors';
import type { RetrainOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';

export interface RetrainOptions {
  family: string;
  /** The tick (default: now, to the second: Scheduler's ticks have no fraction either). */
  scheduledTime?: string;
}

export async function retrainFamily(target: StageTarget, options: RetrainOptions): Promise<RetrainOutput> {
  if (!FamilyNameSchema.safeParse(options.family).success) throw new UsageError(`<family> '${options.family}' is not a family name: lowercase letters, digits and single hyphens`);
  if (options.scheduledTime !== undefined && !RetrainRequestSchema.safeParse({ retrain: { scheduledTime: options.scheduledTime } }).success) {
    throw new UsageError(`--at '${options.scheduledTime}' is not an ISO 8601 time with its offset (e.g. 2026-12-07T03:00:00Z)`);
  }
  const functionName = target.outputs.IngestFunctionName;
  if (!functionName) throw new OperationError('stage-not-deployed', `stage '${target.stage}' has no IngestFunctionName output: deploy it again (pnpm exec sls deploy --stage ${target.stage})`);
  const lambda = target.clients.lambda;
  if (!lambda) throw new OperationError('unreachable', `the offline stack serving stage '${target.stage}' predates its Lambda API: restart \`pnpm local:up\``);
  const scheduledTime = options.scheduledTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const request: RetrainRequest = { retrain: { scheduledTime, families: [options.family] } };
  let response;
  try {
    response = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new OperationError('unreachable', `stage '${target.stage}': Lambda is not reachable (${(error as Error).message}); is \`pnpm local:up\` running?`);
    throw error;
  }
  const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
  if (response.FunctionError) {
    const payload = JSON.parse(text || '{}') as { errorType?: string; errorMessage?: string };
    throw new OperationError('refused', `${functionName} failed: ${payload.errorType ?? response.FunctionError}: ${payload.errorMessage ?? text}`);
  }
  const output = IngestOutputSchema.parse(JSON.parse(text));
  const started = output.runs.filter((r) => r.status === 'started').length;
  const message =
    output.runs.length > 0
      ? `${options.family}: ${output.runs.map((r) => `run ${r.runId} on ${r.key} ${r.status === 'started' ? 'started' : 'already exists (this tick ran before)'}`).join('; ')}`
      : `${options.family}: nothing to retrain: ${[...output.skipped, ...output.rejected].map((s) => s.reason).join('; ') || 'no dataset'}`;
  return { stage: target.stage, family: options.family, scheduledTime, functionName, started, ...output, message };
}
