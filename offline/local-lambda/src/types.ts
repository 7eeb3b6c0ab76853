/** One deployed function: where its bundle is and how it is configured. */
export interface FunctionSpec {
  /** Function name, as in `FunctionName` (no ARN). */
  name: string;
  /** The CommonJS (or .mjs) bundle deployment ships, e.g. `.build/mlops_train/index.js`. */
  bundlePath: string;
  /** Exported handler, possibly nested (`a.b`). Default `handler`. */
  handlerExport?: string;
  /** The function's configured environment variables. Reserved Lambda keys are refused. */
  environment?: Record<string, string>;
  /** Default 3, as Lambda. */
  timeoutSeconds?: number;
  /** Default 128, as Lambda. Reported, not enforced. */
  memorySizeMB?: number;
  region?: string;
  accountId?: string;
  /**
   * Reserved concurrency: beyond it invokes are throttled with Lambda.TooManyRequestsException,
   * as Lambda does. Without it, invokes beyond the local instance cap wait for an instance.
   */
  reservedConcurrency?: number;
}

/** A service-side failure to inject before the handler runs (name as Step Functions sees it). */
export interface InjectedFault {
  name: string;
  message: string;
}

export interface FaultHook {
  /** `attempt` counts this function's invoke calls from 1. Return a fault to fail this one. */
  before?(functionName: string, attempt: number): InjectedFault | undefined;
}

export interface LocalLambdaLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** One line of a function's output, CloudWatch Logs stand-in. */
export interface LogEvent {
  timestamp: number;
  functionName: string;
  logStreamName: string;
  /** The invocation the line was written during; absent for init-phase output. */
  requestId?: string;
  source: 'stdout' | 'stderr' | 'platform';
  message: string;
}

export interface LocalLambdaOptions {
  functions: FunctionSpec[];
  /** Local cap on live instances per function; invokes beyond it queue. Default 4. */
  maxConcurrencyPerFunction?: number;
  /** Default region and account for specs that do not set them. */
  region?: string;
  accountId?: string;
  logger?: LocalLambdaLogger;
  /** Receives every log line as it is written. See `prefixedLogSink`. */
  onLog?: (functionName: string, line: string, event: LogEvent) => void;
  faults?: FaultHook;
  /** Lines kept per function for `logs()`; oldest are dropped first. Default 10000. */
  maxLogEventsPerFunction?: number;
  /** Between SIGTERM and SIGKILL in `close()`. Default 2000 ms. */
  shutdownGraceMs?: number;
  /** Node binary for the instances. Default `process.execPath` (Node 22 in this workspace). */
  nodePath?: string;
  /** Parent environment to take credentials and PATH from. Default `process.env`. */
  parentEnv?: NodeJS.ProcessEnv;
  /**
   * A faster clock for the functions: `Date` in every environment reads `epochMs + (real − epochMs) × rate`.
   * The offline stack scales its waits; with the same rate the functions see the time those waits stand for.
   */
  clock?: VirtualClockSetting;
}

/** Virtual time: `epochMs + (realNow − epochMs) × rate`. */
export interface VirtualClockSetting {
  epochMs: number;
  rate: number;
}

export interface InvokeOptions {
  /** Passed to the handler as `context.clientContext`. */
  clientContext?: Record<string, unknown>;
  /** Defaults to a fresh UUID. */
  awsRequestId?: string;
}

/** What one successful invocation returned and cost. */
export interface InvocationResult {
  payload: unknown;
  requestId: string;
  coldStart: boolean;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  maxMemoryUsedMB: number;
  logStreamName: string;
}

export interface FunctionStats {
  /** Invocations that reached an execution environment (init failures included). */
  invocations: number;
  coldStarts: number;
  /** Function errors: handler errors, init errors, timeouts, crashes, oversized responses. */
  errors: number;
  timeouts: number;
  throttles: number;
  injectedFaults: number;
  initDurationMs: number[];
  /** Execution environments alive now. */
  instances: number;
}

export interface LocalLambda {
  /** Invokes synchronously (RequestResponse) and returns the parsed response payload. */
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<unknown>;
  /** As `invoke`, with the REPORT-line details. */
  invokeWithDetails(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvocationResult>;
  stats(): Record<string, FunctionStats>;
  /** Log events of one function, or of all, oldest first. */
  logs(functionName?: string): LogEvent[];
  functionNames(): string[];
  /** PIDs of the live execution environments. */
  pids(): number[];
  /** Kills every instance (SIGTERM, then SIGKILL after the grace period) and waits for them. */
  close(): Promise<void>;
}
