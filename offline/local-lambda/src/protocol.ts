/**
 * Messages between the emulator and an execution environment's process, over the fork IPC
 * channel. They stand in for the Lambda Runtime API: `invoke` is `/invocation/next`, `result`
 * is `/response` or `/error`, `ready` and `init-error` close the Init phase.
 * Types only: the runtime process imports this file with `import type`.
 */
import type { LambdaErrorPayload } from './errors';

/** Bytes the process had written to stdout and stderr when it sent the message. */
export interface OutputMark {
  stdoutBytes: number;
  stderrBytes: number;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text, as the Runtime API hands it over. */
  event: string;
  /** Epoch milliseconds; `getRemainingTimeInMillis()` counts down to it. */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** JSON text of the client context, if any. */
  clientContext?: string;
  traceId: string;
}

export type ToRuntime = InvokeMessage;

export interface ReadyMessage {
  type: 'ready';
  output: OutputMark;
}

export interface InitErrorMessage {
  type: 'init-error';
  error: LambdaErrorPayload;
  output: OutputMark;
}

export interface ResultMessage {
  type: 'result';
  requestId: string;
  /** The response as JSON text, or the error the runtime posted. */
  outcome: { ok: true; payload: string } | { ok: false; error: LambdaErrorPayload };
  /** The runtime exits right after this message (uncaught exception, unhandled rejection). */
  exiting: boolean;
  maxMemoryUsedMB: number;
  output: OutputMark;
}

export type FromRuntime = ReadyMessage | InitErrorMessage | ResultMessage;
