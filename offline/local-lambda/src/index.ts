export { createLocalLambda } from './local-lambda';
export {
  InvalidFunctionConfigurationError,
  LambdaFunctionError,
  LambdaServiceError,
  statesErrorOf,
  type LambdaErrorPayload,
} from './errors';
export { PoolClosedError } from './pool';
export { prefixedLogSink } from './log-store';
export {
  MAX_REQUEST_PAYLOAD_BYTES,
  MAX_RESPONSE_PAYLOAD_BYTES,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_MEMORY_SIZE_MB,
} from './limits';
export type {
  FaultHook,
  FunctionSpec,
  FunctionStats,
  InjectedFault,
  InvocationResult,
  InvokeOptions,
  LocalLambda,
  LocalLambdaLogger,
  LocalLambdaOptions,
  LogEvent,
  VirtualClockSetting,
} from './types';
