/** Request and response payload checks the Lambda service applies to synchronous invokes. */
import { invalidRequestContentError, requestTooLargeError, responseTooLargePayload, type LambdaErrorPayload } from './errors';
import { MAX_REQUEST_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES } from './limits';

/** The event as the JSON text Lambda would receive; throws the service error Lambda would. */
export function serializeEvent(event: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(event === undefined ? null : event);
  } catch (error) {
    throw invalidRequestContentError(error instanceof Error ? error.message : String(error));
  }
  text ??= 'null'; // a bare function or symbol serialises to nothing
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_REQUEST_PAYLOAD_BYTES) throw requestTooLargeError(bytes);
  return text;
}

/** The error Lambda returns instead of a response that is too large, if it is. */
export function oversizedResponse(payloadJson: string): LambdaErrorPayload | undefined {
  const bytes = Buffer.byteLength(payloadJson);
  return bytes > MAX_RESPONSE_PAYLOAD_BYTES ? responseTooLargePayload(bytes) : undefined;
}

