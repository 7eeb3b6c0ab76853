import type { Context } from './context';
import { DEFAULT_S3_CREDENTIALS, type S3Options } from './s3';

/** What a process needs from the host to run at all; nothing here identifies the developer. */
const HOST_BASICS = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT', 'USER', 'NODE_PATH'];

/**
 * Every AWS_* variable of the host stays out of containers, even with inheritEnv: keys, session
 * tokens, profiles, the config and credentials files, web-identity and container-credential
 * settings, and endpoints would all hand a container the developer's own identity. On SageMaker a
 * container gets its execution role's credentials; here it gets the local stack's.
 */
function isHostAwsSetting(name: string): boolean {
  return name.toUpperCase().startsWith('AWS_');
}

/**
 * What the local stack gives every container: its region, its S3 endpoint and the credentials the
 * emulator itself signs S3 requests with (the execution role's stand-in).
 */
export function stackEnvironment(region: string, s3: S3Options): Record<string, string> {
  const credentials = s3.credentials ?? DEFAULT_S3_CREDENTIALS;
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
  };
}

/**
 * The environment a container starts with, before its image's `env`, the contract variables and
 * the request's `Environment`: the host basics (or, with inheritEnv, the host's whole environment)
 * without any AWS_* setting, plus the stack's environment.
 */
export function containerEnvironment(ctx: Pick<Context, 'inheritEnv' | 'stackEnvironment'>, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ctx.inheritEnv ? Object.keys(host) : HOST_BASICS) {
    const value = host[name];
    if (value !== undefined && !isHostAwsSetting(name)) env[name] = value;
  }
  return { ...env, ...ctx.stackEnvironment };
}
