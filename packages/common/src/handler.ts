/**
 * The one way a pipeline function is wired: middy, a structured logger with the execution name
 * as correlation id, contract validation before any AWS call, and a size check on the result.
 * The core function is pure business logic that receives a validated, typed input.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { assertPayloadSize, validateInput } from './validation';
import { logger } from './observability';

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
