/**
 * The environment of one execution environment: the function's configured variables plus what
 * the Lambda runtime sets, and nothing else of the parent's (a variable that happens to be set
 * on the developer's machine must not make a function work offline that fails once deployed).
 */
import { CREDENTIAL_KEYS, EXECUTION_ENV, FUNCTION_VERSION } from './limits';
import { logGroupName } from './naming';
import type { ResolvedFunction } from './spec';
import type { VirtualClockSetting } from './types';

export interface InstanceEnvironmentInput {
  parentEnv: NodeJS.ProcessEnv;
  logStreamName: string;
  runtimeDir: string;
  clock?: VirtualClockSetting | undefined;
}

/** Read (and removed) by the runtime before it loads the bundle: the handler never sees it. */
export const CLOCK_VARIABLE = '_MLOPS_LOCAL_CLOCK';

export function instanceEnvironment(fn: ResolvedFunction, input: InstanceEnvironmentInput): Record<string, string> {
  const { parentEnv } = input;
  const env: Record<string, string> = {};

  // Unreserved variables Lambda sets and a function may override.
  if (parentEnv.PATH) env.PATH = parentEnv.PATH;
  env.LANG = 'en_US.UTF-8';
  env.NODE_OPTIONS = '--enable-source-maps';
  // Lambda derives credentials from the execution role; offline the parent's stand in for it.
  for (const key of CREDENTIAL_KEYS) {
    const value = parentEnv[key];
    if (value) env[key] = value;
  }

  // Credentials the spec carries (the local stack's) take precedence over the parent's.
  Object.assign(env, fn.environment);

  // Reserved: set by Lambda, never by the function's configuration (spec.ts refuses them, but
  // for the credentials and a region that agrees).
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(fn.name),
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: EXECUTION_ENV,
    LAMBDA_TASK_ROOT: fn.taskRoot,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
    TZ: ':UTC',
  });
  if (input.clock) env[CLOCK_VARIABLE] = `${input.clock.epochMs}:${input.clock.rate}`;
  return env;
}
