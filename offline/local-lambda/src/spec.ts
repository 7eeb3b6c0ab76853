/**
 * Resolves a FunctionSpec to a complete configuration, refusing what the Lambda service would
 * refuse at deployment: a bad name, timeout or memory size, reserved or oversized environment.
 */
import path from 'node:path';
import { InvalidFunctionConfigurationError } from './errors';
import {
  CREDENTIAL_KEYS,
  DEFAULT_MEMORY_SIZE_MB,
  DEFAULT_TIMEOUT_SECONDS,
  FUNCTION_NAME_PATTERN,
  MAX_ENVIRONMENT_BYTES,
  MAX_MEMORY_SIZE_MB,
  MAX_TIMEOUT_SECONDS,
  MIN_MEMORY_SIZE_MB,
  MIN_TIMEOUT_SECONDS,
  REGION_KEYS,
  RESERVED_ENVIRONMENT_KEYS,
} from './limits';
import { functionArn } from './naming';
import type { FunctionSpec } from './types';

export interface ResolvedFunction {
  name: string;
  bundlePath: string;
  handlerExport: string;
  /** `index.handler`: module and export, as the function's `Handler` setting reads. */
  handler: string;
  /** The bundle's directory, Lambda's /var/task. */
  taskRoot: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySizeMB: number;
  region: string;
  accountId: string;
  arn: string;
  reservedConcurrency?: number;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

// Lambda's pattern for environment variable keys.
const ENV_KEY_PATTERN = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

export function resolveFunctionSpec(
  spec: FunctionSpec,
  defaults: { region?: string; accountId?: string } = {},
): ResolvedFunction {
  const fail = (message: string): never => {
    throw new InvalidFunctionConfigurationError(spec.name, message);
  };
  if (!FUNCTION_NAME_PATTERN.test(spec.name)) fail('FunctionName must match [A-Za-z0-9_-]{1,64}');

  const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < MIN_TIMEOUT_SECONDS || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    fail(`Timeout must be a whole number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}, got ${timeoutSeconds}`);
  }
  const memorySizeMB = spec.memorySizeMB ?? DEFAULT_MEMORY_SIZE_MB;
  if (!Number.isInteger(memorySizeMB) || memorySizeMB < MIN_MEMORY_SIZE_MB || memorySizeMB > MAX_MEMORY_SIZE_MB) {
    fail(`MemorySize must be a whole number of MB from ${MIN_MEMORY_SIZE_MB} to ${MAX_MEMORY_SIZE_MB}, got ${memorySizeMB}`);
  }
  const reserved = spec.reservedConcurrency;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 0)) {
    fail(`ReservedConcurrentExecutions must be a non-negative integer, got ${reserved}`);
  }

  const region = spec.region ?? defaults.region ?? DEFAULT_REGION;
  const environment = { ...(spec.environment ?? {}) };
  checkEnvironment(environment, region, fail);

  const handlerExport = spec.handlerExport ?? 'handler';
  if (handlerExport === '' || handlerExport.includes('..')) fail(`'${handlerExport}' is not a valid handler export`);

  const bundlePath = path.resolve(spec.bundlePath);
  const moduleName = path.basename(bundlePath).replace(/\.(c|m)?js$/, '');
  const accountId = spec.accountId ?? defaults.accountId ?? DEFAULT_ACCOUNT_ID;
  return {
    name: spec.name,
    bundlePath,
    handlerExport,
    handler: `${moduleName}.${handlerExport}`,
    taskRoot: path.dirname(bundlePath),
    environment,
    timeoutSeconds,
    memorySizeMB,
    region,
    accountId,
    arn: functionArn(region, accountId, spec.name),
    ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
  };
}

// Reserved keys tolerated offline: credentials (no execution role here) and a region that agrees.
const TOLERATED_KEYS: ReadonlySet<string> = new Set<string>([...CREDENTIAL_KEYS, ...REGION_KEYS]);

function checkEnvironment(environment: Record<string, string>, region: string, fail: (message: string) => never): void {
  for (const key of REGION_KEYS) {
    const value = environment[key];
    if (value !== undefined && value !== region) fail(`environment variable ${key}=${value} contradicts the function's region ${region}`);
  }
  const reserved = Object.keys(environment).filter((key) => RESERVED_ENVIRONMENT_KEYS.has(key) && !TOLERATED_KEYS.has(key));
  if (reserved.length > 0) {
    fail(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  for (const [key, value] of Object.entries(environment)) {
    if (!ENV_KEY_PATTERN.test(key)) fail(`environment variable key '${key}' must match [a-zA-Z]([a-zA-Z0-9_])+`);
    if (typeof value !== 'string') fail(`environment variable ${key} must be a string, got ${typeof value}`);
  }
  const measured = JSON.stringify(environment);
  if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES) {
    fail(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}
