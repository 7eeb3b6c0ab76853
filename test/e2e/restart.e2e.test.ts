/**
 * `pnpm local:up` killed with -9 mid-run, then started again on the same folder, as a developer
 * does: the control-plane state is back (executions with their history, jobs, models, endpoints),
 * the previous stack's leftover containers are reaped, the run that was in flight is reported and
 * ended with a clear cause, and the endpoint of the earlier run serves again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { PipelineStateSchema } from '@mlops/common';
import type { StateSnapshot } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';
import { freePort } from '@mlops/testing';

jest.setTimeout(180_000);

const root = projectRoot();
const localDir = mkdtempSync(join(tmpdir(), 'mlops-restart-'));
const abalone = readFileSync(join(root, 'data/abalone.csv'), 'utf8');
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' };
const region = 'us-east-1';
const BUCKET = 'mlops-local-data';
const ENDPOINT = 'mlops-local-abalone';

interface RunningStack {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
}

let ports: { s3: number; sagemaker: number; stepfunctions: number };
let stacks: RunningStack[] = [];

/** `pnpm local:up` on the test's folder and ports; resolves once it says it runs. */
async function localUp(): Promise<RunningStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'offline/local-stack/src/up.ts')], {
    cwd: root,
    env: {
      ...process.env,
      MLOPS_LOCAL_DIR: localDir,
      MLOPS_S3_PORT: String(ports.s3),
      MLOPS_SAGEMAKER_PORT: String(ports.sagemaker),
      MLOPS_STEPFUNCTIONS_PORT: String(ports.stepfunctions),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stack = { child, stdout: () => out, exited };
  stacks.push(stack);
  const started = Date.now();
  while (!out.includes('Offline stack running')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`local:up exited: ${err.slice(-2000)}`);
    if (Date.now() - started > 120_000) throw new Error(`local:up did not start: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The summary of a restart is printed right after the banner.
  await new Promise((r) => setTimeout(r, 200));
  return stack;
}

const clients = () => ({
  s3: new S3Client({ endpoint: `http://127.0.0.1:${ports.s3}`, region, credentials, forcePathStyle: true }),
  sfn: new SFNClient({ endpoint: `http://127.0.0.1:${ports.stepfunctions}`, region, credentials }),
  sm: new SageMakerClient({ endpoint: `http://127.0.0.1:${ports.sagemaker}`, region, credentials }),
  runtime: new SageMakerRuntimeClient({ endpoint: `http://127.0.0.1:${ports.sagemaker}`, region, credentials }),
});

async function until<T>(probe: () => Promise<T | undefined>, done: (value: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline';
const executions = async (sfn: SFNClient): Promise<ExecutionListItem[]> =>
  (await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }))).executions ?? [];
const sageMakerState = async (): Promise<StateSnapshot> => (await fetch(`http://127.0.0.1:${ports.sagemaker}/_local/state`)).json() as Promise<StateSnapshot>;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

beforeAll(async () => {
  ports = { s3: await freePort(), sagemaker: await freePort(), stepfunctions: await freePort() };
});

afterAll(async () => {
  for (const s of stacks) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(stacks.map((s) => s.exited));
  rmSync(localDir, { recursive: true, force: true });
});

describe('kill -9 of pnpm local:up, then a restart', () => {
  let first: ExecutionListItem;
  let interrupted: ExecutionListItem;
  let orphanPids: number[];
  /** The first run's endpoint server: it never ends by itself, so only the restart can have killed it (a job's process may finish on its own first). */
  let endpointPids: number[];
  let restarted: RunningStack;

  beforeAll(async () => {
    const stack = await localUp();
    const { s3, sfn } = clients();
    // A run that completes: its endpoint serves when the stack is killed.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/abalone.csv', Body: abalone }));
    first = await until(async () => (await executions(sfn))[0], (e) => e.status === 'SUCCEEDED', 'the first run');
    // A second run, killed in flight.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/abalone-again.csv', Body: `${abalone}` + abalone.split('\n').slice(0, 50).join('\n') + '\n' }));
    interrupted = await until(async () => (await executions(sfn)).find((e) => e.executionArn !== first.executionArn), (e) => e.status === 'RUNNING', 'the second run to start');
    // Let it get somewhere (the stack saves its state every 250 ms).
    await new Promise((r) => setTimeout(r, 600));
    const processes = (await sageMakerState()).processes;
    orphanPids = processes.map((p) => p.pid);
    endpointPids = processes.filter((p) => p.kind === 'endpoint').map((p) => p.pid);
    stack.child.kill('SIGKILL');
    await stack.exited;
    restarted = await localUp();
  });

  it('leaves containers running when killed (what the restart must clean up)', () => {
    expect(endpointPids.length).toBeGreaterThan(0);
  });

  it("reaps the previous stack's leftover containers", async () => {
    await until(async () => orphanPids.filter(isAlive), (alive) => alive.length === 0, 'the orphans to die', 10_000);
    for (const pid of endpointPids) expect(restarted.stdout()).toContain(`killed its leftover endpoint process ${pid}`);
  });

  it('tells the user the previous stack was killed, and which execution was interrupted in which state', () => {
    const out = restarted.stdout();
    expect(out).toContain('stopped without closing (killed or crashed)');
    expect(out).toMatch(new RegExp(`execution ${interrupted.name} was interrupted in state \\w+: ABORTED`));
  });

  it('keeps the executions: the finished one as it was, the interrupted one ABORTED with a cause, its history ending in ExecutionAborted', async () => {
    const { sfn } = clients();
    const all = await executions(sfn);
    expect(all.map((e) => [e.name, e.status]).sort()).toEqual([[first.name, 'SUCCEEDED'], [interrupted.name, 'ABORTED']].sort());
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: interrupted.executionArn }));
    expect(described.error).toBe('local-stepfunctions.Interrupted');
    expect(described.cause).toMatch(/^The local Step Functions service stopped \(the process was killed or crashed\) while this execution was in state '\w+'; an execution cannot resume after a restart: start it again\.$/);
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: interrupted.executionArn, maxResults: 1000 }))).events!;
    expect(history[0]!.type).toBe('ExecutionStarted');
    expect(history.at(-1)!.type).toBe('ExecutionAborted');
    const firstHistory = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: first.executionArn, maxResults: 1000 }))).events!;
    expect(firstHistory.at(-1)!.type).toBe('ExecutionSucceeded');
  });

  it("keeps the first run's training job, and serves its endpoint again", async () => {
    const { sm, runtime } = clients();
    const state = await sageMakerState();
    const completed = state.trainingJobs.filter((j) => j.status === 'Completed');
    expect(completed.length).toBeGreaterThanOrEqual(1);
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: completed[0]!.name }));
    expect(job.ModelArtifacts?.S3ModelArtifacts).toMatch(/^s3:\/\/mlops-local-data\//);
    for (const j of state.trainingJobs.filter((t) => t.status !== 'Completed')) expect(j).toMatchObject({ status: 'Failed', failureReason: expect.stringContaining('the local SageMaker stopped while this training job ran') });
    await until(() => sm.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT })), (e) => e.EndpointStatus === 'InService', 'the endpoint to serve again');
    // A held-out row of the first run's test channel, without its label.
    const { s3, sfn } = clients();
    const output = PipelineStateSchema.parse(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).output!));
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(output.dataset.test)!;
    const rows = await (await s3.send(new GetObjectCommand({ Bucket: bucket!, Key: `${key}test.csv` }))).Body!.transformToString();
    const row = rows.split('\n')[0]!;
    const answer = await runtime.send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'text/csv', Body: Buffer.from(row.slice(row.indexOf(',') + 1)) }));
    expect(Number(Buffer.from(answer.Body).toString().trim())).toBeGreaterThan(0);
  });

  it('keeps the S3 data', async () => {
    const { s3 } = clients();
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'incoming/abalone.csv' }))).resolves.toBeDefined();
  });

  it('refuses a second stack on the same folder while this one runs', async () => {
    await expect(localUp()).rejects.toThrow(/another offline stack \(pid \d+\) is running on/);
    stacks = stacks.filter((s) => s.child.exitCode === null);
  });

  it('after a clean stop (Ctrl-C), a start reports nothing interrupted', async () => {
    restarted.child.kill('SIGINT');
    expect(await restarted.exited).toBe(0);
    const again = await localUp();
    expect(again.stdout()).toContain('Restored the state of the previous offline stack');
    expect(again.stdout()).not.toContain('was interrupted');
  });
});
