/**
 * Lambda quotas and fixed values the emulator enforces. Each one is a place where a pipeline
 * that works offline could otherwise fail once deployed.
 */

/** Synchronous Invoke request payload limit (RequestResponse invocation type). */
export const MAX_REQUEST_PAYLOAD_BYTES = 6_291_456;

/** Synchronous response limit; Lambda reports it as 6291556 bytes, 100 more than the request limit. */
export const MAX_RESPONSE_PAYLOAD_BYTES = 6_291_556;

/** On-demand Init phase limit; a longer init is retried inside the first invoke's timeout. */
export const INIT_PHASE_LIMIT_MS = 10_000;

/** Lambda defaults when a function does not configure them. */
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_SIZE_MB = 128;

export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 900;
export const MIN_MEMORY_SIZE_MB = 128;
export const MAX_MEMORY_SIZE_MB = 10_240;

/** Total size of a function's environment variables, measured as their JSON text. */
export const MAX_ENVIRONMENT_BYTES = 4_096;

/** Function names: letters, digits, hyphens and underscores, at most 64 characters. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const FUNCTION_VERSION = '$LATEST';
export const EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';

/** Keys the Lambda service sets itself and refuses in a function's configuration. */
export const RESERVED_ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/**
 * Credentials Lambda derives from the execution role. Offline there is no role: they come from
 * the function's environment if the local stack puts them there, else from the parent process.
 * The one set of reserved keys a spec may contain.
 */
export const CREDENTIAL_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Reserved keys a spec may repeat, as long as they agree with the function's region. */
export const REGION_KEYS = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;
