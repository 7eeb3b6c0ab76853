/**
 * The emulator: routes each invoke to an execution environment of the function and turns what
 * happens there into what a Lambda caller (Step Functions) would see.
 */
import { randomUUID } from 'node:crypto';
import {
  exitPayload,
  functionNotFoundError,
  injectedError,
  InvalidFunctionConfigurationError,
  LambdaFunctionError,
  timeoutPayload,
  type LambdaErrorPayload,
} from './errors';
import type { Instance, Outcome } from './instance';
import { FUNCTION_VERSION, INIT_PHASE_LIMIT_MS } from './limits';
import { LogStore } from './log-store';
import { functionArn, parseFunctionIdentifier, traceHeader } from './naming';
import { oversizedResponse, serializeEvent } from './payload';
import { billedDurationMs, endLine, reportLine, startLine, timeoutLine } from './platform-log';
import { FunctionPool, PoolClosedError, type Lease } from './pool';
import { assertRuntimeNode } from './runtime-node';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, resolveFunctionSpec } from './spec';
import type { FunctionStats, InvocationResult, InvokeOptions, LocalLambda, LocalLambdaOptions, LogEvent } from './types';

const DEFAULT_MAX_CONCURRENCY = 4;
const DEFAULT_MAX_LOG_EVENTS = 10_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 2_000;

export function createLocalLambda(options: LocalLambdaOptions): LocalLambda {
  return new LocalLambdaEmulator(options);
}

class LocalLambdaEmulator implements LocalLambda {
  private readonly pools = new Map<string, FunctionPool>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: LocalLambdaOptions) {
    if (options.nodePath === undefined) assertRuntimeNode(process.versions.node);
    const maxInstances = options.maxConcurrencyPerFunction ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isInteger(maxInstances) || maxInstances < 1) {
      throw new RangeError(`maxConcurrencyPerFunction must be a positive integer, got ${maxInstances}`);
    }
    for (const spec of options.functions) {
      const fn = resolveFunctionSpec(spec, options);
      if (this.pools.has(fn.name)) throw new InvalidFunctionConfigurationError(fn.name, 'defined twice');
      this.pools.set(
        fn.name,
        new FunctionPool({
          fn,
          maxInstances,
          nodePath: options.nodePath ?? process.execPath,
          parentEnv: options.parentEnv ?? process.env,
          ...(options.clock ? { clock: options.clock } : {}),
          logs: new LogStore(options.maxLogEventsPerFunction ?? DEFAULT_MAX_LOG_EVENTS),
          ...(options.onLog ? { onLog: options.onLog } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      );
    }
  }

  async invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<unknown> {
    return (await this.invokeWithDetails(functionName, event, options)).payload;
  }

  async invokeWithDetails(functionName: string, event: unknown, options: InvokeOptions = {}): Promise<InvocationResult> {
    if (this.closing) throw new PoolClosedError();
    const pool = this.poolFor(functionName);
    // The service fails or refuses the request before any environment is involved.
    const attempt = ++pool.attempts;
    const fault = this.options.faults?.before?.(pool.fn.name, attempt);
    if (fault) {
      pool.counters.injectedFaults++;
      throw injectedError(fault.name, fault.message);
    }
    const eventJson = serializeEvent(event);
    const requestId = options.awsRequestId ?? randomUUID();

    const lease = await pool.acquire();
    try {
      return await this.run(pool, lease, requestId, eventJson, options);
    } finally {
      pool.release(lease.instance);
    }
  }

  /** A function by name or ARN, as Invoke's `FunctionName`; only the unpublished version exists. */
  private poolFor(identifier: string): FunctionPool {
    const id = parseFunctionIdentifier(identifier);
    const pool = id && this.pools.get(id.name);
    if (
      pool &&
      (id.region ?? pool.fn.region) === pool.fn.region &&
      (id.accountId ?? pool.fn.accountId) === pool.fn.accountId &&
      (id.qualifier ?? FUNCTION_VERSION) === FUNCTION_VERSION
    ) {
      return pool;
    }
    if (identifier.startsWith('arn:')) throw functionNotFoundError(identifier);
    const region = id?.region ?? this.options.region ?? DEFAULT_REGION;
    const accountId = id?.accountId ?? this.options.accountId ?? DEFAULT_ACCOUNT_ID;
    const qualifier = id?.qualifier === undefined ? '' : `:${id.qualifier}`;
    throw functionNotFoundError(`${functionArn(region, accountId, id?.name ?? identifier)}${qualifier}`);
  }

  stats(): Record<string, FunctionStats> {
    return Object.fromEntries([...this.pools].map(([name, pool]) => [name, pool.stats()]));
  }

  logs(functionName?: string): LogEvent[] {
    if (functionName !== undefined) return this.pools.get(functionName)?.fnLogs() ?? [];
    return [...this.pools.values()].flatMap((p) => p.fnLogs()).sort((a, b) => a.timestamp - b.timestamp);
  }

  functionNames(): string[] {
    return [...this.pools.keys()];
  }

  /** PIDs of the live execution environments (for diagnostics and orphan checks). */
  pids(): number[] {
    return [...this.pools.values()].flatMap((p) => p.pids());
  }

  close(): Promise<void> {
    const grace = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.closing ??= Promise.all([...this.pools.values()].map((p) => p.close(grace))).then(() => undefined);
    return this.closing;
  }

  private async run(pool: FunctionPool, lease: Lease, requestId: string, eventJson: string, options: InvokeOptions): Promise<InvocationResult> {
    const { fn } = pool;
    const { instance } = lease;
    const timeoutMs = fn.timeoutSeconds * 1000;
    pool.counters.invocations++;

    let initDurationMs: number | undefined;
    let deadlineMs = Date.now() + timeoutMs;
    if (lease.cold) ({ initDurationMs, deadlineMs } = await this.coldStart(pool, instance, requestId));

    instance.requestId = requestId;
    pool.platformLog(instance, startLine(requestId), requestId);
    const startedMs = performance.now();
    const outcome = await instance.invoke(
      {
        type: 'invoke',
        requestId,
        event: eventJson,
        deadlineMs,
        invokedFunctionArn: fn.arn,
        ...(options.clientContext === undefined ? {} : { clientContext: JSON.stringify(options.clientContext) }),
        traceId: traceHeader(new Date()),
      },
      deadlineMs,
    );
    const durationMs = performance.now() - startedMs;

    if (outcome.kind === 'result' && outcome.message.outcome.ok) {
      const json = outcome.message.outcome.payload;
      const oversized = oversizedResponse(json);
      if (oversized) {
        instance.retiring = true; // the runtime fails to post it and exits
        return this.fail(pool, instance, requestId, oversized, durationMs, initDurationMs, outcome.message.maxMemoryUsedMB);
      }
      this.report(pool, instance, requestId, durationMs, initDurationMs, outcome.message.maxMemoryUsedMB);
      return {
        payload: JSON.parse(json) as unknown,
        requestId,
        coldStart: lease.cold,
        durationMs,
        billedDurationMs: billedDurationMs(durationMs),
        ...(initDurationMs === undefined ? {} : { initDurationMs }),
        maxMemoryUsedMB: outcome.message.maxMemoryUsedMB,
        logStreamName: instance.logStreamName,
      };
    }
    if (outcome.kind === 'timeout') {
      pool.counters.timeouts++;
      pool.platformLog(instance, timeoutLine(new Date(), requestId, fn.timeoutSeconds), requestId);
    }
    const memory = outcome.kind === 'result' ? outcome.message.maxMemoryUsedMB : undefined;
    return this.fail(pool, instance, requestId, this.errorOf(outcome, requestId, fn.timeoutSeconds), durationMs, initDurationMs, memory);
  }

  /** Waits for the Init phase of a new environment; throws the invoke's error if it fails. */
  private async coldStart(pool: FunctionPool, instance: Instance, requestId: string): Promise<{ initDurationMs: number; deadlineMs: number }> {
    const { fn } = pool;
    const timeoutMs = fn.timeoutSeconds * 1000;
    pool.counters.coldStarts++;
    // An init longer than Lambda's 10 s init limit is retried within the invoke, so it eats into
    // the function timeout; approximated as one init with that combined budget.
    const initStartedMs = Date.now();
    const init = await instance.waitForInit(initStartedMs + INIT_PHASE_LIMIT_MS + timeoutMs);
    const initDurationMs = performance.now() - instance.startedAt;
    if (init.kind !== 'ready') {
      pool.platformLog(instance, startLine(requestId), requestId);
      if (init.kind === 'timeout') {
        pool.counters.timeouts++;
        pool.platformLog(instance, timeoutLine(new Date(), requestId, fn.timeoutSeconds), requestId);
      }
      return this.fail(pool, instance, requestId, this.errorOf(init, requestId, fn.timeoutSeconds), initDurationMs, undefined);
    }
    pool.initDurationMs.push(initDurationMs);
    const deadlineMs = initDurationMs > INIT_PHASE_LIMIT_MS ? initStartedMs + INIT_PHASE_LIMIT_MS + timeoutMs : Date.now() + timeoutMs;
    return { initDurationMs, deadlineMs };
  }

  private errorOf(outcome: Outcome, requestId: string, timeoutSeconds: number): LambdaErrorPayload {
    switch (outcome.kind) {
      case 'init-error':
        return outcome.error;
      case 'result':
        return outcome.message.outcome.ok ? { errorType: 'Runtime.Unknown', errorMessage: 'unexpected success' } : outcome.message.outcome.error;
      case 'exit':
        return exitPayload(requestId, outcome.code, outcome.signal);
      case 'timeout':
        return timeoutPayload(requestId, timeoutSeconds);
      case 'ready':
        return { errorType: 'Runtime.Unknown', errorMessage: 'unexpected ready message' };
    }
  }

  private fail(
    pool: FunctionPool,
    instance: Instance,
    requestId: string,
    error: LambdaErrorPayload,
    durationMs: number,
    initDurationMs: number | undefined,
    maxMemoryUsedMB?: number,
  ): never {
    pool.counters.errors++;
    // REPORT's status: a timeout says so; an environment that died (or will) says error.
    const status = error.errorType === 'Sandbox.Timedout' ? 'timeout' : !instance.alive || instance.retiring ? 'error' : undefined;
    const errorType = status === 'error' ? (error.errorType.startsWith('Runtime.') ? error.errorType : 'Runtime.ExitError') : undefined;
    this.report(pool, instance, requestId, durationMs, initDurationMs, maxMemoryUsedMB, status, errorType);
    throw new LambdaFunctionError(pool.fn.name, requestId, error);
  }

  private report(
    pool: FunctionPool,
    instance: Instance,
    requestId: string,
    durationMs: number,
    initDurationMs: number | undefined,
    maxMemoryUsedMB: number | undefined,
    status?: 'timeout' | 'error',
    errorType?: string,
  ): void {
    pool.platformLog(instance, endLine(requestId), requestId);
    pool.platformLog(
      instance,
      reportLine({
        requestId,
        durationMs,
        memorySizeMB: pool.fn.memorySizeMB,
        ...(maxMemoryUsedMB === undefined ? {} : { maxMemoryUsedMB }),
        ...(initDurationMs === undefined ? {} : { initDurationMs }),
        ...(status ? { status } : {}),
        ...(errorType ? { errorType } : {}),
      }),
      requestId,
    );
  }
}
