/**
 * The one way a pipeline function is wired: middy, a structured logger with the execution name
 * as correlation id, contract validation before any AWS call, and a size check on the result.
 * The core function is pure business logic that receives a validated, typed input.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { InputValidationError, PayloadTooLargeError } from './errors';
import { logger } from './observability';

/** Step Functions rejects state payloads over 256 KiB (UTF-8). */
export const MAX_STATE_PAYLOAD_BYTES = 256 * 1024;

export function validateInput<T extends z.ZodMiniType>(schema: T, input: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InputValidationError(
    source,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

export function assertPayloadSize(output: unknown, fn: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(output ?? null), 'utf8');
  if (bytes > MAX_STATE_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`${fn} result is ${bytes} bytes, over the ${MAX_STATE_PAYLOAD_BYTES}-byte Step Functions state limit`);
  }
}

/** The execution name, for log correlation: from an execution ARN or the run id (they are equal). */
function correlationIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const record = input as { executionArn?: unknown; run?: { runId?: unknown }; runId?: unknown };
  if (typeof record.executionArn === 'string') return record.executionArn.split(':').pop();
  if (typeof record.run?.runId === 'string') return record.run.runId;
  if (typeof record.runId === 'string') return record.runId;
  return undefined;
}

export interface PipelineFunction<I extends z.ZodMiniType, O> {
  name: string;
  input: I;
  core: (input: z.infer<I>, context: Context) => Promise<O>;
  middlewares?: middy.MiddlewareObj[];
}

export function pipelineHandler<I extends z.ZodMiniType, O>(fn: PipelineFunction<I, O>) {
  const handler = middy<unknown, O, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const correlationId = correlationIdOf(event);
      if (correlationId) logger.setCorrelationId(correlationId);
      const input = validateInput(fn.input, event, `${fn.name} input`);
      const output = await fn.core(input, context);
      assertPayloadSize(output, fn.name);
      return output;
    });
  for (const middleware of fn.middlewares ?? []) handler.use(middleware);
  return handler;
}
