/**
 * serverless.yml is the single source of configuration. Rather than re-implement the framework's
 * variable resolution (${param:}, ${sls:stage}, ${self:}, ${file()}, ...), ask the framework:
 * `sls print --format json` resolves a stage offline. The result is cached by the content of every
 * file it reads, so the offline stack pays the ~2 s once per change.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServerlessFunction {
  handler: string;
  name?: string;
  timeout?: number;
  memorySize?: number;
  role?: string;
  environment?: Record<string, unknown>;
  events?: unknown[];
}

export interface ResolvedServerlessConfig {
  service: string;
  provider: {
    runtime: string;
    architecture?: string;
    region: string;
    stage: string;
    memorySize?: number;
    timeout?: number;
    environment?: Record<string, unknown>;
    logRetentionInDays?: number;
  };
  params: Record<string, Record<string, unknown>>;
  custom: Record<string, unknown>;
  functions: Record<string, ServerlessFunction>;
  stepFunctions: { stateMachines: Record<string, { name: string; id?: string; type?: string; definition: Record<string, unknown> }> };
  resources: {
    Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
    Conditions?: Record<string, unknown>;
    Outputs?: Record<string, unknown>;
  };
}

/** The repository root: the nearest folder upwards holding serverless.yml. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'serverless.yml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no serverless.yml above ${from}`);
    dir = parent;
  }
  return dir;
}

function configFingerprint(root: string, stage: string, params: Record<string, string>): string {
  const hash = createHash('sha256').update(stage).update(JSON.stringify(Object.entries(params).sort()));
  const files = ['serverless.yml', ...['resources', 'statemachines'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).sort().map((f) => join(d, f)) : []))];
  for (const file of files) hash.update(file).update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The stage's resolved configuration (`sls print`), cached per stage, inputs and `params`: values
 * that override the stage's params as `sls --param name=value` does (e.g. a short retraining schedule
 * for a rehearsal).
 */
export async function printServerlessConfig(stage: string, root = projectRoot(), params: Record<string, string> = {}): Promise<ResolvedServerlessConfig> {
  const cacheDir = join(root, '.local', 'cache');
  const cacheFile = join(cacheDir, `sls-print-${stage}-${configFingerprint(root, stage, params)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as ResolvedServerlessConfig;
  const sls = join(root, 'node_modules', '.bin', 'sls');
  const paramArgs = Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  const { stdout } = await run(sls, ['print', '--stage', stage, '--format', 'json', ...paramArgs], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'offline',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'offline',
    },
  });
  const config = JSON.parse(stdout.slice(stdout.indexOf('{'))) as ResolvedServerlessConfig;
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(config));
  return config;
}
