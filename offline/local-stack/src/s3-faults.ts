/**
 * Transient S3 faults for the offline stack. s3rver has no fault injection, so a loopback proxy
 * (fault-proxy.ts) stands in front of it and answers a seeded random share of requests the way S3
 * answers when it sheds load: `503 SlowDown` or `500 InternalError`, with S3's XML error body.
 * Faulted requests never reach s3rver, so a retry is always safe.
 *
 * Two listeners share one controller: one for the Lambda functions, one for the local SageMaker's
 * own transfers (training channels, model artifacts, transform input and output). They have
 * separate rates because they are different things: the functions' calls are the pipeline's and
 * must survive faults (SDK retries, then the state machine's); SageMaker's transfers are inside
 * AWS, where SageMaker retries them itself (the emulator's client retries three times, uploads in
 * buffered parts), so faults there test the emulator, not the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy, type FaultResponse } from './fault-proxy';
import { mulberry32 } from '@mlops/local-sagemaker';
import { answerDate, type EmulatedClock } from './signing-clock';

export interface S3FaultConfig {
  /** Share (0..1) of the Lambda functions' S3 requests answered with a transient error. Default 0. */
  rate?: number;
  /** Share (0..1) of the local SageMaker's S3 requests answered with a transient error. Default 0. */
  sageMakerRate?: number;
  /** Share of injected faults that are `503 SlowDown`; the others are `500 InternalError`. Default 0.5. */
  slowDownShare?: number;
  /** Seed of the draws (mulberry32); without it Math.random. */
  seed?: number;
}

export type S3FaultSource = 'functions' | 'sageMaker';

export interface S3FaultStats {
  /** Requests seen, per source. */
  requests: Record<S3FaultSource, number>;
  /** Faults injected, per source and per S3 error code. */
  injected: Record<S3FaultSource, { SlowDown: number; InternalError: number }>;
  total: number;
}

export interface S3FaultController {
  set(config: S3FaultConfig): void;
  clear(): void;
  get(): S3FaultConfig;
  /** Counted since the stack started. */
  stats(): S3FaultStats;
}

export interface S3FaultProxies {
  /** The functions' S3 endpoint. */
  functionsEndpoint: string;
  /** The local SageMaker's S3 endpoint. */
  sageMakerEndpoint: string;
  controller: S3FaultController;
  close(): Promise<void>;
}

function checkShare(value: number | undefined, name: string): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) throw new RangeError(`s3Faults.${name} must be a number between 0 and 1, got ${value}`);
}

const S3_ERRORS = {
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
} as const;

const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * S3's error answer: XML body with the code, the message and the code's own elements (`Resource`,
 * `ArgumentName`...), request ids in headers and body (HEAD answers carry no body).
 */
export function s3Error(status: number, code: string, message: string, fields: Record<string, string | number> = {}): FaultResponse {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const hostId = Buffer.from(randomUUID()).toString('base64');
  const elements = Object.entries(fields).map(([name, value]) => `<${name}>${xmlText(String(value))}</${name}>`).join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlText(message)}</Message>${elements}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
  return { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId }, body };
}

/** The transient errors S3 answers when it sheds load. */
export function s3ErrorResponse(code: keyof typeof S3_ERRORS, resource: string): FaultResponse {
  const { status, message } = S3_ERRORS[code];
  return s3Error(status, code, message, { Resource: resource });
}

class Controller implements S3FaultController {
  private config: S3FaultConfig = {};
  private random: () => number = Math.random;
  private counters: S3FaultStats = {
    requests: { functions: 0, sageMaker: 0 },
    injected: { functions: { SlowDown: 0, InternalError: 0 }, sageMaker: { SlowDown: 0, InternalError: 0 } },
    total: 0,
  };

  set(config: S3FaultConfig): void {
    checkShare(config.rate, 'rate');
    checkShare(config.sageMakerRate, 'sageMakerRate');
    checkShare(config.slowDownShare, 'slowDownShare');
    this.config = { ...config };
    this.random = config.seed === undefined ? Math.random : mulberry32(config.seed);
  }

  clear(): void {
    this.set({});
  }

  get(): S3FaultConfig {
    return { ...this.config };
  }

  stats(): S3FaultStats {
    return structuredClone(this.counters);
  }

  /** The S3 error to answer with, or undefined to forward the request. */
  draw(source: S3FaultSource): keyof typeof S3_ERRORS | undefined {
    this.counters.requests[source]++;
    const rate = (source === 'functions' ? this.config.rate : this.config.sageMakerRate) ?? 0;
    if (rate === 0 || this.random() >= rate) return undefined;
    const code = this.random() < (this.config.slowDownShare ?? 0.5) ? 'SlowDown' : 'InternalError';
    this.counters.injected[source][code]++;
    this.counters.total++;
    return code;
  }
}

/** Starts the two listeners in front of the S3 service at `target`. */
export async function startS3FaultProxies(target: string, config: S3FaultConfig = {}, clock?: EmulatedClock): Promise<S3FaultProxies> {
  const controller = new Controller();
  controller.set(config);
  const listener = (source: S3FaultSource) =>
    startFaultProxy({
      target: () => target,
      decide: ({ path }) => {
        const code = controller.draw(source);
        return code ? { action: 'fail', response: s3ErrorResponse(code, path.split('?')[0]!) } : { action: 'forward' };
      },
      // The store could not be reached or broke off: S3's own answer to a backend failure (retryable).
      upstreamError: (_error, { path }) => s3ErrorResponse('InternalError', path.split('?')[0]!),
      answerHeaders: (request) => answerDate(request, clock),
    });
  const proxies: FaultProxy[] = [];
  try {
    proxies.push(await listener('functions'), await listener('sageMaker'));
  } catch (error) {
    await Promise.all(proxies.map((p) => p.close()));
    throw error;
  }
  return {
    functionsEndpoint: proxies[0]!.endpoint,
    sageMakerEndpoint: proxies[1]!.endpoint,
    controller,
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}
