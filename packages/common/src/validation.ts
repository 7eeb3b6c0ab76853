/**
 * Contract checks shared by every function and by the tools that produce or read the same shapes:
 * a zod parse that names the failing field, and Step Functions' state-size limit.
 */
import type * as z from 'zod/mini';
import { InputValidationError, PayloadTooLargeError } from './errors';

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
