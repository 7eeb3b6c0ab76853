import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateTrainingJobCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import S3rver from 's3rver';
import { REGISTRY, isAlive, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

const PACKAGE_DIR = path.join(__dirname, '..');

describe('the CLI', () => {
  let tmp: string;
  let s3rver: S3rver;
  let s3Endpoint: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-sagemaker-cli-'));
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(tmp, 's3'), configureBuckets: [{ name: 'mlops-local', configs: [] }] });
    const addr = (await s3rver.run()) as { port: number };
    s3Endpoint = `http://127.0.0.1:${addr.port}`;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await s3rver.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts on a port, prints its endpoint, serves the SDK, and on SIGTERM stops every process it started', async () => {
    // `pnpm start` runs exactly this: node (22) --import tsx src/cli.ts
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--', '--port', '0', '--s3-endpoint', s3Endpoint, '--images', REGISTRY, '--work-dir', path.join(tmp, 'work'), '--stop-grace-ms', '2000'],
      { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const line = await waitFor(async () => /SageMaker \(control plane \+ runtime\) listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout), (m) => m !== null, `the listening line (stderr: ${stderr})`, 60_000);
    const endpoint = line![1]!;
    const sm = new SageMakerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      expect((await sm.send(new ListTrainingJobsCommand({}))).TrainingJobSummaries).toEqual([]);
      await sm.send(new CreateTrainingJobCommand(trainingRequest('cli-sleeper', { AlgorithmSpecification: { TrainingImage: 'local/sleeper:1', TrainingInputMode: 'File' }, InputDataConfig: undefined })));
      const state = await waitFor(
        async () => (await (await fetch(`${endpoint}/_local/state`)).json()) as { processes: { pid: number; owner: string }[] },
        (s) => s.processes.some((p) => p.owner === 'cli-sleeper'),
        'the training process',
      );
      const pid = state.processes.find((p) => p.owner === 'cli-sleeper')!.pid;
      expect(isAlive(pid)).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(isAlive(pid)).toBe(false);
      expect(stderr).toContain('SIGTERM: stopping every job and endpoint process');
    } finally {
      sm.destroy();
    }
  });

  it('refuses to start without its required options', async () => {
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const { AWS_ENDPOINT_URL_S3: _ignored, ...env } = process.env;
      const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', '0'], { cwd: PACKAGE_DIR, stdio: ['ignore', 'ignore', 'pipe'], env });
      let err = '';
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      c.once('exit', (code) => resolve({ code, stderr: err }));
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--s3-endpoint is required');
  });
});
