/**
 * The runtime of one execution environment, the local counterpart of the Node.js runtime
 * interface client (aws-lambda-nodejs-runtime-interface-client 3.x, which nodejs22.x runs).
 * It loads the bundle once, then runs one invocation at a time for as long as the process
 * lives, which is what makes module-scope state survive between warm invocations.
 *
 * It runs as its own Node 22 process with type stripping, so it imports nothing local but
 * types and uses only erasable TypeScript.
 *
 * argv: <bundlePath> <handlerExport>. Everything else comes from the environment, as in Lambda.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, types } from 'node:util';
import type { LambdaErrorPayload } from '../errors';
import type { FromRuntime, InvokeMessage, OutputMark, ResultMessage, ToRuntime } from '../protocol';

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: object, callback: Callback) => unknown;
type Outcome = ResultMessage['outcome'];

interface Invocation {
  requestId: string;
  finished: boolean;
  /** What the runtime does when the handler leaves the event loop empty without answering. */
  onEmptyEventLoop: () => void;
}

const bundlePath = process.argv[2] ?? '';
const handlerExport = process.argv[3] ?? 'handler';
const handlerString = `${path.basename(bundlePath).replace(/\.(c|m)?js$/, '')}.${handlerExport}`;

// ---- clock: the offline stack runs time faster (its waits are scaled); Date follows, before the bundle loads
// The runtime itself keeps real time: invocation deadlines and log timestamps are the parent's.
const realTime = Date.now.bind(Date);
installVirtualClock(process.env._MLOPS_LOCAL_CLOCK);
delete process.env._MLOPS_LOCAL_CLOCK;

function installVirtualClock(setting: string | undefined): void {
  if (!setting) return;
  const [epochMs, rate] = setting.split(':').map(Number) as [number, number];
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const now = () => Math.round(epochMs + (realNow() - epochMs) * rate);
  // Only "now" changes: dates built from a value, parsing, formatting and `instanceof Date` stay the platform's.
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length > 0 ? args : [now()], newTarget) as object,
    apply: () => new RealDate(now()).toString(),
    get: (target, property, receiver) => (property === 'now' ? now : Reflect.get(target, property, receiver)),
  });
}

// ---- output: count bytes so the parent knows when it has read everything written before a result
const written: OutputMark = { stdoutBytes: 0, stderrBytes: 0 };
countWrites(process.stdout, 'stdoutBytes');
countWrites(process.stderr, 'stderrBytes');

function countWrites(stream: NodeJS.WriteStream, key: keyof OutputMark): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    written[key] += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
    return write(chunk, ...rest);
  }) as NodeJS.WriteStream['write'];
}

// ---- console: Lambda's text log format, one line per call (newlines become \r as Lambda does)
let currentRequestId: string | undefined;
const LEVELS = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
] as const;
for (const [method, level] of LEVELS) {
  console[method] = (...args: unknown[]): void => {
    const message = format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date(realTime()).toISOString()}\t${String(currentRequestId)}\t${level}\t${message}\n`);
  };
}

// ---- errors, shaped as the runtime interface client shapes them
class RuntimeError extends Error {
  constructor(kind: string, message: string) {
    super(message);
    this.name = `Runtime.${kind}`;
  }
}

const NODE_JS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. ' +
  'For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

function looksLikeError(value: unknown): value is Error {
  const v = value as Partial<Error> | null;
  return !!v && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string' && !!v.name && !!v.message;
}

function toErrorPayload(error: unknown): LambdaErrorPayload {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: (error.stack as string).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function logError(label: string, error: unknown): void {
  const { errorType, errorMessage, trace } = toErrorPayload(error);
  console.error(label, `\t${JSON.stringify({ errorType, errorMessage, stack: trace })}`);
}

// ---- IPC
function post(message: FromRuntime, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

function maxMemoryUsedMB(): number {
  return Math.ceil(process.resourceUsage().maxRSS / 1024);
}

// ---- fatal errors: reported to the invocation (or the init), then the environment is gone
let phase: 'init' | 'ready' = 'init';
let current: Invocation | undefined;
let dying = false;

function die(label: string, error: unknown, exitCode: number): void {
  if (dying) return;
  dying = true;
  logError(label, error);
  const payload = toErrorPayload(error);
  const exit = (): never => process.exit(exitCode);
  if (phase === 'init') {
    post({ type: 'init-error', error: payload, output: { ...written } }, exit);
  } else if (current && !current.finished) {
    current.finished = true;
    post(resultMessage(current.requestId, { ok: false, error: payload }, true), exit);
  } else {
    exit();
  }
}

process.on('uncaughtException', (error) => die('Uncaught Exception', error, 129));
process.on('unhandledRejection', (reason) => die('Unhandled Promise Rejection', new RuntimeError('UnhandledPromiseRejection', String(reason)), 128));
// The parent went away (even if it was killed): do not outlive it.
process.on('disconnect', () => process.exit(0));
// With the IPC channel unreferenced during an invocation, an empty event loop means the handler
// has nothing left to do; this is how the real runtime notices callbacks and unsettled promises.
process.on('beforeExit', () => {
  if (current && !current.finished) current.onEmptyEventLoop();
});

// ---- init
async function loadHandler(): Promise<Handler> {
  let loaded: unknown;
  try {
    loaded = bundlePath.endsWith('.mjs')
      ? await import(pathToFileURL(bundlePath).href)
      : createRequire(bundlePath)(bundlePath);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const wrapped = new RuntimeError('UserCodeSyntaxError', String(error));
      wrapped.stack = error.stack ?? wrapped.stack;
      throw wrapped;
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', String(error));
    throw error;
  }
  const handler = handlerExport
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], loaded);
  if (!handler) throw new RuntimeError('HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('HandlerNotFound', `${handlerString} is not a function`);
  return handler as Handler;
}

const handler: Handler = await loadHandler().catch((error: unknown) => {
  die('Uncaught Exception', error, 129);
  return new Promise<never>(() => {}); // die() exits once the parent has the error
});
const handlerIsAsync = handler.constructor?.name === 'AsyncFunction';
phase = 'ready';
post({ type: 'ready', output: { ...written } });
process.on('message', (message: ToRuntime) => {
  if (message.type === 'invoke') invoke(message);
});

// ---- invoke
function resultMessage(requestId: string, outcome: Outcome, exiting: boolean): ResultMessage {
  return { type: 'result', requestId, outcome, exiting, maxMemoryUsedMB: maxMemoryUsedMB(), output: { ...written } };
}

function serialize(result: unknown): Outcome {
  try {
    return { ok: true, payload: JSON.stringify(result === undefined ? null : result) ?? 'null' };
  } catch {
    // What runtime interface client 3.x posts when JSON.stringify throws (BigInt, cycles...).
    const error = new Error('Unable to stringify response body');
    logError('Invoke Error', error);
    return { ok: false, error: toErrorPayload(error) };
  }
}

function invoke(message: InvokeMessage): void {
  process.env._X_AMZN_TRACE_ID = message.traceId;
  currentRequestId = message.requestId;
  const invocation: Invocation = { requestId: message.requestId, finished: false, onEmptyEventLoop: () => {} };
  current = invocation;
  process.channel?.unref();

  const finish = (outcome: Outcome): void => {
    if (invocation.finished) return;
    invocation.finished = true;
    process.channel?.ref();
    post(resultMessage(invocation.requestId, outcome, false));
  };
  const succeed = (result: unknown): void => finish(serialize(result));
  const fail = (error: unknown): void => {
    logError('Invoke Error', error);
    finish({ ok: false, error: toErrorPayload(error) });
  };

  // callback, succeed, fail and done share one "first call wins" guard, as in the runtime.
  let answered = false;
  const once =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (answered) return;
      answered = true;
      fn(...args);
    };
  let waitsForEmptyEventLoop = true;
  const callback = once((error?: unknown, result?: unknown) => {
    if (error !== undefined && error !== null) fail(error);
    else if (!waitsForEmptyEventLoop) succeed(result);
    else invocation.onEmptyEventLoop = () => succeed(result);
  });
  const env = process.env;
  const context = {
    get callbackWaitsForEmptyEventLoop(): boolean {
      return waitsForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitsForEmptyEventLoop = value;
    },
    succeed: once((result?: unknown) => succeed(result)),
    fail: once((error?: unknown) => fail(error ?? 'handled')),
    done: once((error?: unknown, result?: unknown) => (error !== undefined && error !== null ? fail(error) : succeed(result))),
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: message.invokedFunctionArn,
    awsRequestId: message.requestId,
    clientContext: message.clientContext === undefined ? undefined : (JSON.parse(message.clientContext) as unknown),
    identity: undefined,
    getRemainingTimeInMillis: (): number => message.deadlineMs - realTime(),
  };
  // Nothing answered and nothing left to run: an async handler's promise never settled (an
  // error); a callback-style handler that never called back answers null.
  invocation.onEmptyEventLoop = handlerIsAsync ? () => fail(new RuntimeError('NodeJsExit', NODE_JS_EXIT_MESSAGE)) : () => succeed(null);

  try {
    const returned = handler(JSON.parse(message.event), context, callback);
    if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
      (returned as PromiseLike<unknown>).then(context.succeed, context.fail);
    }
  } catch (error) {
    callback(error);
  }
}
