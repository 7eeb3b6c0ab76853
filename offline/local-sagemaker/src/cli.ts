#!/usr/bin/env node
/**
 * Standalone local SageMaker:
 *   pnpm --filter @mlops/local-sagemaker start -- --port 4599 --s3-endpoint http://127.0.0.1:4569 \
 *     --images images.json --work-dir .local/sagemaker
 * Prints `SageMaker (control plane + runtime) listening on http://127.0.0.1:4599` and runs until
 * SIGINT/SIGTERM, then stops every process it started.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { type FaultConfig, startLocalSageMaker } from './index';

const USAGE = `Usage: local-sagemaker --s3-endpoint URL --images FILE [options]

  --port N                  port to listen on (default 4599; 0 = any free port)
  --host ADDR               interface (default 127.0.0.1)
  --s3-endpoint URL         S3 endpoint (e.g. a local s3rver: http://127.0.0.1:4569)   [required]
  --s3-region REGION        S3 signing region (default: --region)
  --s3-access-key-id ID     S3 credentials, also given to every container (default S3RVER;
  --s3-secret-access-key K  this shell's AWS_* credentials are never used)
  --images FILE             image registry JSON (ImageUri -> train/serve commands)      [required]
  --work-dir DIR            job roots and logs (default .local/sagemaker)
  --region REGION           region in ARNs (default us-east-1)
  --account-id ID           account in ARNs (default 123456789012)
  --health-timeout-ms N     serving containers' /ping deadline (default 60000)
  --stop-grace-ms N         SIGTERM -> SIGKILL grace (default 10000)
  --faults FILE             initial fault-injection configuration (JSON)
  --inherit-env             give containers this process's whole environment (minus AWS_*)
  --verbose                 log every request
  -h, --help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // pnpm passes a literal `--` through to the script; drop it.
  const argv = process.argv.slice(2).filter((a, i) => !(a === '--' && i === 0));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-region': { type: 'string' },
        's3-access-key-id': { type: 'string' },
        's3-secret-access-key': { type: 'string' },
        images: { type: 'string' },
        'work-dir': { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        'health-timeout-ms': { type: 'string' },
        'stop-grace-ms': { type: 'string' },
        faults: { type: 'string' },
        'inherit-env': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const str = (k: string) => values[k] as string | undefined;
  const int = (k: string) => {
    const v = str(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) fail(`--${k} must be a non-negative integer`);
    return Number(v);
  };
  const s3Endpoint = str('s3-endpoint') ?? process.env.AWS_ENDPOINT_URL_S3;
  if (!s3Endpoint) fail('--s3-endpoint is required');
  const images = str('images');
  if (!images) fail('--images is required');
  if (!fs.existsSync(images)) fail(`--images: ${images} does not exist`);
  let faults: FaultConfig | undefined;
  if (str('faults')) faults = JSON.parse(fs.readFileSync(str('faults')!, 'utf8')) as FaultConfig;
  const verbose = Boolean(values.verbose);
  const stamp = () => new Date().toISOString();
  // Containers get these credentials (the execution role's stand-in), so they never default to the developer's own.
  const accessKeyId = str('s3-access-key-id') ?? 'S3RVER';
  const secretAccessKey = str('s3-secret-access-key') ?? 'S3RVER';

  const sm = await startLocalSageMaker({
    port: int('port') ?? 4599,
    host: str('host') ?? '127.0.0.1',
    workDir: str('work-dir') ?? '.local/sagemaker',
    s3: { endpoint: s3Endpoint, region: str('s3-region') ?? str('region'), credentials: { accessKeyId, secretAccessKey } },
    imageRegistry: images,
    region: str('region'),
    accountId: str('account-id'),
    faults,
    healthCheckTimeoutMs: int('health-timeout-ms'),
    stopGracePeriodMs: int('stop-grace-ms'),
    inheritEnv: Boolean(values['inherit-env']),
    logger: {
      debug: verbose ? (m) => process.stderr.write(`${stamp()} ${m}\n`) : undefined,
      info: (m) => process.stderr.write(`${stamp()} ${m}\n`),
      warn: (m) => process.stderr.write(`${stamp()} WARN ${m}\n`),
      error: (m) => process.stderr.write(`${stamp()} ERROR ${m}\n`),
    },
  });
  process.stdout.write(`SageMaker (control plane + runtime) listening on ${sm.endpoint}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${stamp()} ${signal}: stopping every job and endpoint process...\n`);
    sm.close().then(
      () => {
        process.stderr.write(`${stamp()} stopped\n`);
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`${stamp()} error while stopping: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`local-sagemaker: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
