import { AwsError, internalFailure, serviceUnavailable, throttling, validationException } from './errors';

/** Faults injected on one API operation (or on every operation with the key `*`). */
export interface ApiFault {
  /** Probability (0..1) that a call answers ThrottlingException (HTTP 400). */
  throttleRate?: number;
  /** Probability (0..1) that a call answers InternalFailure (HTTP 500). */
  errorRate?: number;
  /** Probability (0..1) that a call answers ServiceUnavailable (HTTP 503). */
  unavailableRate?: number;
  /** The first N calls (counted from when the faults were set) answer ThrottlingException. */
  failFirst?: number;
}

export interface FaultConfig {
  /** Per-operation faults, keyed by operation name (`CreateTrainingJob`, `InvokeEndpoint`, ...) or `*`. */
  api?: Record<string, ApiFault>;
  /** Seed of the random draws, so a run is reproducible. */
  seed?: number;
  /** Training jobs whose name matches the pattern (a RegExp source) fail with this FailureReason once training starts. */
  trainingFailure?: { jobNamePattern: string; reason: string };
  /** Transform jobs whose name matches fail with this FailureReason once the model container is up. */
  transformFailure?: { jobNamePattern: string; reason: string };
  /** Processing jobs whose name matches fail with this FailureReason once the image is resolved. */
  processingFailure?: { jobNamePattern: string; reason: string };
  /** Training, transform and processing jobs whose name matches never finish (until stopped or MaxRuntimeInSeconds). */
  hang?: { jobNamePattern: string };
  /** Serving containers of models whose name matches never pass the ping health check. */
  unhealthyModel?: { modelNamePattern: string };
}

export interface FaultStats {
  /** Injected API faults per operation. */
  api: Record<string, { throttled: number; errors: number; unavailable: number }>;
  trainingFailures: number;
  transformFailures: number;
  processingFailures: number;
  hangs: number;
  unhealthyModels: number;
  total: number;
}

export interface FaultController {
  set(config: FaultConfig): void;
  clear(): void;
  get(): FaultConfig;
  stats(): FaultStats;
}

/** A seeded PRNG (mulberry32): fault draws that a test can replay. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw validationException(`${path} must be a number between 0 and 1`);
}

function checkPattern(value: unknown, path: string): void {
  if (typeof value !== 'string') throw validationException(`${path} must be a string (a regular expression)`);
  try {
    new RegExp(value);
  } catch (e) {
    throw validationException(`${path} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Checks a fault configuration (it may come over HTTP from another process). */
export function validateFaultConfig(config: unknown): FaultConfig {
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw validationException('fault configuration must be a JSON object');
  const c = config as FaultConfig;
  for (const [op, f] of Object.entries(c.api ?? {})) {
    if (!f || typeof f !== 'object') throw validationException(`api.${op} must be an object`);
    checkRate(f.throttleRate, `api.${op}.throttleRate`);
    checkRate(f.errorRate, `api.${op}.errorRate`);
    checkRate(f.unavailableRate, `api.${op}.unavailableRate`);
    if (f.failFirst !== undefined && !(Number.isInteger(f.failFirst) && f.failFirst >= 0)) throw validationException(`api.${op}.failFirst must be a non-negative integer`);
  }
  if (c.seed !== undefined && !Number.isInteger(c.seed)) throw validationException('seed must be an integer');
  if (c.trainingFailure) {
    checkPattern(c.trainingFailure.jobNamePattern, 'trainingFailure.jobNamePattern');
    if (typeof c.trainingFailure.reason !== 'string') throw validationException('trainingFailure.reason must be a string');
  }
  if (c.transformFailure) {
    checkPattern(c.transformFailure.jobNamePattern, 'transformFailure.jobNamePattern');
    if (typeof c.transformFailure.reason !== 'string') throw validationException('transformFailure.reason must be a string');
  }
  if (c.processingFailure) {
    checkPattern(c.processingFailure.jobNamePattern, 'processingFailure.jobNamePattern');
    if (typeof c.processingFailure.reason !== 'string') throw validationException('processingFailure.reason must be a string');
  }
  if (c.hang) checkPattern(c.hang.jobNamePattern, 'hang.jobNamePattern');
  if (c.unhealthyModel) checkPattern(c.unhealthyModel.modelNamePattern, 'unhealthyModel.modelNamePattern');
  return c;
}

/**
 * The fault-injection seam. Off by default (an empty configuration injects nothing); the
 * reliability tests drive it programmatically or over `POST /_local/faults`.
 */
export class Faults implements FaultController {
  private config: FaultConfig = {};
  private random: () => number = Math.random;
  private calls = new Map<string, number>();
  private counters: FaultStats = Faults.emptyStats();

  constructor(config?: FaultConfig) {
    if (config) this.set(config);
  }

  private static emptyStats(): FaultStats {
    return { api: {}, trainingFailures: 0, transformFailures: 0, processingFailures: 0, hangs: 0, unhealthyModels: 0, total: 0 };
  }

  set(config: FaultConfig): void {
    this.config = JSON.parse(JSON.stringify(validateFaultConfig(config))) as FaultConfig;
    this.random = this.config.seed !== undefined ? mulberry32(this.config.seed) : Math.random;
    this.calls.clear();
  }

  clear(): void {
    this.config = {};
    this.random = Math.random;
    this.calls.clear();
  }

  get(): FaultConfig {
    return JSON.parse(JSON.stringify(this.config)) as FaultConfig;
  }

  stats(): FaultStats {
    return JSON.parse(JSON.stringify(this.counters)) as FaultStats;
  }

  resetStats(): void {
    this.counters = Faults.emptyStats();
  }

  private count(op: string, kind: 'throttled' | 'errors' | 'unavailable'): void {
    const entry = (this.counters.api[op] ??= { throttled: 0, errors: 0, unavailable: 0 });
    entry[kind]++;
    this.counters.total++;
  }

  /** The error to answer an API call with, or undefined to let it through. */
  apiFault(operation: string): AwsError | undefined {
    const rule = this.config.api?.[operation] ?? this.config.api?.['*'];
    if (!rule) return undefined;
    const n = (this.calls.get(operation) ?? 0) + 1;
    this.calls.set(operation, n);
    if (rule.failFirst !== undefined && n <= rule.failFirst) {
      this.count(operation, 'throttled');
      return throttling();
    }
    if (rule.throttleRate && this.random() < rule.throttleRate) {
      this.count(operation, 'throttled');
      return throttling();
    }
    if (rule.errorRate && this.random() < rule.errorRate) {
      this.count(operation, 'errors');
      return internalFailure();
    }
    if (rule.unavailableRate && this.random() < rule.unavailableRate) {
      this.count(operation, 'unavailable');
      return serviceUnavailable();
    }
    return undefined;
  }

  trainingFailure(jobName: string): string | undefined {
    const f = this.config.trainingFailure;
    if (!f || !new RegExp(f.jobNamePattern).test(jobName)) return undefined;
    this.counters.trainingFailures++;
    this.counters.total++;
    return f.reason;
  }

  transformFailure(jobName: string): string | undefined {
    const f = this.config.transformFailure;
    if (!f || !new RegExp(f.jobNamePattern).test(jobName)) return undefined;
    this.counters.transformFailures++;
    this.counters.total++;
    return f.reason;
  }

  processingFailure(jobName: string): string | undefined {
    const f = this.config.processingFailure;
    if (!f || !new RegExp(f.jobNamePattern).test(jobName)) return undefined;
    this.counters.processingFailures++;
    this.counters.total++;
    return f.reason;
  }

  hangs(jobName: string): boolean {
    const f = this.config.hang;
    if (!f || !new RegExp(f.jobNamePattern).test(jobName)) return false;
    this.counters.hangs++;
    this.counters.total++;
    return true;
  }

  unhealthy(modelName: string): boolean {
    const f = this.config.unhealthyModel;
    if (!f || !new RegExp(f.modelNamePattern).test(modelName)) return false;
    this.counters.unhealthyModels++;
    this.counters.total++;
    return true;
  }
}
