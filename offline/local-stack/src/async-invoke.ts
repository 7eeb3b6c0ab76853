/**
 * Lambda's asynchronous invocation (InvocationType Event), as S3 notifications and EventBridge rules
 * invoke functions: the caller's request is accepted once the function exists; Lambda then runs the
 * event, and on an error runs it again up to the function's `maximumRetryAttempts` (default 2), one
 * minute after the first attempt and two minutes after the second (scaled like every wait of the
 * stack), unless the event is older than `maximumEventAge` (default 6 hours). An event that fails
 * every attempt goes to the function's on-failure destination as an invocation record; a success goes
 * to the on-success destination, if any (Lambda developer guide, "Asynchronous invocation",
 * "Configuring error handling for asynchronous invocation", "Capturing records of Lambda asynchronous
 * invocations").
 *
 * Simplifications: the service errors Lambda itself would retry for up to six hours (throttling,
 * 5xx) count as attempts here, like function errors; destinations are SQS queues of the local SQS
 * and functions of the local Lambda (others are logged and dropped).
 */
import { randomUUID } from 'node:crypto';
import { LambdaFunctionError, LambdaServiceError, type LocalLambda } from '@mlops/local-lambda';
import type { AsyncInvokeConfig } from './resources';

/** The invocation record Lambda sends to a destination (version 1.0). */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload: unknown;
}

export interface AsyncOutcome {
  requestId: string;
  functionName: string;
  attempts: number;
  /** The last attempt's result, when one succeeded. */
  result?: unknown;
  /** The last attempt's error, when every attempt failed. */
  error?: Error;
  /** The destination the record went to, if any. */
  destination?: { arn: string; condition: InvocationRecord['requestContext']['condition']; delivered: boolean; error?: string };
}

export interface AsyncInvokerOptions {
  lambda: LocalLambda;
  region: string;
  accountId: string;
  /** The configuration of a function by name. */
  configOf(functionName: string): AsyncInvokeConfig | undefined;
  /** Real seconds per emulated second: the retry intervals (60 s, 120 s) are scaled by it. */
  waitScale: number;
  /** Sends a record to an SQS queue by ARN (throws when it cannot). */
  sendToQueue(queueArn: string, body: string): Promise<void>;
  onLog?: (line: string) => void;
}

/** Lambda's intervals before the second and third attempts, in seconds. */
const RETRY_INTERVALS_SECONDS = [60, 120];

export class AsyncInvoker {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly aborter = new AbortController();
  private closed = false;

  constructor(private readonly options: AsyncInvokerOptions) {}

  /**
   * Invoke with InvocationType Event: throws at once (as the Invoke API answers) when the function
   * does not exist or the invoker is closed; otherwise the attempts run in the background and `done`
   * resolves with what happened.
   */
  invoke(functionName: string, event: unknown): { requestId: string; done: Promise<AsyncOutcome> } {
    if (this.closed) throw new LambdaServiceError('ServiceException', 'The local Lambda service is shutting down.', 500);
    const config = this.options.configOf(functionName);
    if (!config || !this.options.lambda.functionNames().includes(functionName)) {
      throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${this.functionArn(functionName)}`, 404);
    }
    const requestId = randomUUID();
    const done = this.run(functionName, event, requestId, config);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return { requestId, done };
  }

  /** Resolves when every invocation accepted so far has finished (retries and destinations included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Accepts nothing more; pending retries are dropped; waits for attempts in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.aborter.abort();
    await this.settled();
  }

  private functionArn(functionName: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${functionName}`;
  }

  private log(line: string): void {
    this.options.onLog?.(line);
  }

  private async run(functionName: string, event: unknown, requestId: string, config: AsyncInvokeConfig): Promise<AsyncOutcome> {
    const started = Date.now();
    const maxAttempts = 1 + config.maximumRetryAttempts;
    let attempts = 0;
    let lastError: Error | undefined;
    let condition: 'RetriesExhausted' | 'EventAgeExceeded' = 'RetriesExhausted';
    while (attempts < maxAttempts) {
      if (attempts > 0) {
        const delaySeconds = RETRY_INTERVALS_SECONDS[Math.min(attempts - 1, RETRY_INTERVALS_SECONDS.length - 1)]!;
        const ageSeconds = (Date.now() - started) / 1000 / this.options.waitScale + delaySeconds;
        if (ageSeconds > config.maximumEventAgeInSeconds) {
          condition = 'EventAgeExceeded';
          break;
        }
        if (!(await this.sleep(delaySeconds * 1000 * this.options.waitScale))) {
          this.log(`async invocation ${requestId} of ${functionName}: retry dropped, the stack is closing`);
          return { requestId, functionName, attempts, error: lastError };
        }
      }
      attempts++;
      try {
        const result = (await this.options.lambda.invokeWithDetails(functionName, event, { awsRequestId: requestId })).payload;
        const outcome: AsyncOutcome = { requestId, functionName, attempts, result };
        if (config.onSuccess) outcome.destination = await this.deliver(config.onSuccess, this.record(functionName, requestId, 'Success', attempts, event, undefined, result));
        return outcome;
      } catch (error) {
        lastError = error as Error;
        this.log(`async invocation ${requestId} of ${functionName}: attempt ${attempts} of ${maxAttempts} failed: ${lastError.name}: ${lastError.message}`);
      }
    }
    const outcome: AsyncOutcome = { requestId, functionName, attempts, error: lastError };
    if (config.onFailure) outcome.destination = await this.deliver(config.onFailure, this.record(functionName, requestId, condition, attempts, event, lastError));
    else this.log(`async invocation ${requestId} of ${functionName}: discarded after ${attempts} attempts (no on-failure destination)`);
    return outcome;
  }

  private record(functionName: string, requestId: string, condition: InvocationRecord['requestContext']['condition'], attempts: number, event: unknown, error?: Error, result?: unknown): InvocationRecord {
    const responseContext: InvocationRecord['responseContext'] =
      error instanceof LambdaServiceError
        ? { statusCode: error.statusCode, executedVersion: '$LATEST' }
        : { statusCode: 200, executedVersion: '$LATEST', ...(error ? { functionError: 'Unhandled' } : {}) };
    const responsePayload =
      error instanceof LambdaFunctionError
        ? error.payload
        : error instanceof LambdaServiceError
          ? { errorType: error.code, errorMessage: error.message }
          : error
            ? { errorType: error.name, errorMessage: error.message }
            : (result ?? null);
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId, functionArn: `${this.functionArn(functionName)}:$LATEST`, condition, approximateInvokeCount: attempts },
      requestPayload: event,
      responseContext,
      responsePayload,
    };
  }

  private async deliver(arn: string, record: InvocationRecord): Promise<NonNullable<AsyncOutcome['destination']>> {
    const condition = record.requestContext.condition;
    try {
      if (/^arn:aws[\w-]*:sqs:/.test(arn)) await this.options.sendToQueue(arn, JSON.stringify(record));
      else if (/^arn:aws[\w-]*:lambda:/.test(arn)) this.invoke(arn.split(':')[6]!, record);
      else throw new Error(`destination ${arn}: only SQS queues and Lambda functions are emulated offline`);
      this.log(`async invocation ${record.requestContext.requestId}: record (${condition}) sent to ${arn}`);
      return { arn, condition, delivered: true };
    } catch (error) {
      // Lambda counts a DestinationDeliveryFailures metric; the record is lost.
      this.log(`async invocation ${record.requestContext.requestId}: record (${condition}) could not be sent to ${arn}: ${(error as Error).message}`);
      return { arn, condition, delivered: false, error: (error as Error).message };
    }
  }

  /** Resolves true after `ms`, false when the invoker closes first. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.aborter.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
