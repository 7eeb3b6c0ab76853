/** `pnpm pipeline` end to end over a fake stack and run: each exit code it documents, Ctrl-C, where --data is found. */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '@mlops/local-stack';
import { ExecutionTracker } from '@mlops/report';
import { EXIT, EXIT_CODES, InterruptedError, type PipelineOptions, type RunOutcome } from '../src';
import { main, type MainContext } from '../src/pipeline/main';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-main-'));
  await writeFile(join(dir, 'rows.csv'), '1,2,3\n4,5,6\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const outcomeOf = (status: string, extra: Partial<RunOutcome> = {}): RunOutcome => ({
  runId: 'rows-0123456789',
  family: 'rows',
  key: 'incoming/rows.csv',
  executionName: 'rows-0123456789',
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:rows-0123456789',
  status,
  startedAt: new Date('2025-03-01T10:00:00Z'),
  wallMs: 1_000,
  tracker: new ExecutionTracker(),
  history: [],
  endpointChecks: [],
  ...extra,
});

/** A context whose stack and run are fakes; what main wrote and did is recorded. */
function harness(run: MainContext['runPipeline'] = async () => outcomeOf('SUCCEEDED'), overrides: Partial<MainContext> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const signals = new EventEmitter();
  const close = jest.fn(async () => undefined);
  const exits: number[] = [];
  const runs: PipelineOptions[] = [];
  const context: Partial<MainContext> = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { isTTY: false, write: (text: string) => stderr.push(text) } as unknown as NodeJS.WriteStream,
    env: {},
    cwd: dir,
    signals,
    exit: (code) => void exits.push(code),
    startStack: async () => ({ close }) as unknown as LocalStack,
    runPipeline: async (stack, options, progress, signal) => {
      runs.push(options);
      return run(stack, options, progress, signal);
    },
    keepRun: async () => ({ dir: join(dir, 'run'), htmlPath: join(dir, 'run/report.html'), jsonPath: join(dir, 'run/report.json'), artifacts: { kept: [], missing: [], failed: [] } }),
    ...overrides,
  };
  return { context, stdout, stderr: () => stderr.join(''), signals, close, exits, runs };
}

describe('exit codes', () => {
  it('documents each code once', () => {
    expect(EXIT_CODES.map((c) => c.code)).toEqual([0, 1, 2, 3, 4, 130, 143]);
    expect(Object.values(EXIT).sort((a, b) => a - b)).toEqual(EXIT_CODES.map((c) => c.code));
  });

  it('0 when the execution succeeded', async () => {
    const h = harness();
    expect(await main(['--data', 'rows.csv'], h.context)).toBe(EXIT.succeeded);
    expect(h.close).toHaveBeenCalled();
  });

  it('1 when it did not, or when mlops_ingest failed', async () => {
    expect(await main(['--data', 'rows.csv'], harness(async () => outcomeOf('FAILED', { error: 'GateFailed' })).context)).toBe(EXIT.failed);
    const h = harness(async () => outcomeOf('INGEST_FAILED', { error: 'IngestFailed', cause: 'Error: boom' }));
    expect(await main(['--data', 'rows.csv'], h.context)).toBe(EXIT.failed);
    expect(h.stderr()).toContain('mlops_ingest failed, no execution started: Error: boom');
  });

  it('2 for a missing --data file (the README used to say 1), or any other usage error, before any stack starts', async () => {
    const startStack = jest.fn();
    const h = harness(undefined, { startStack });
    expect(await main(['--data', 'missing.csv'], h.context)).toBe(EXIT.usage);
    expect(h.stderr()).toContain(`pnpm pipeline: --data: file not found: ${join(dir, 'missing.csv')}`);
    expect(await main(['--data', 'rows.csv', '--problem', 'clustering'], h.context)).toBe(EXIT.usage);
    expect(await main(['--nope'], h.context)).toBe(EXIT.usage);
    expect(startStack).not.toHaveBeenCalled();
  });

  it('3 when mlops_ingest rejected the dataset, with the reason (and the JSON document with --json)', async () => {
    const h = harness(async () => outcomeOf('REJECTED', { rejection: "target column 'x' is not in the file", cause: "target column 'x' is not in the file" }));
    expect(await main(['--data', 'rows.csv', '--json'], h.context)).toBe(EXIT.rejected);
    expect(h.stderr()).toContain("pnpm pipeline: the dataset was rejected: target column 'x' is not in the file");
    expect(JSON.parse(h.stdout.join(''))).toEqual({ execution: { name: 'rows-0123456789', status: 'REJECTED' }, error: "target column 'x' is not in the file" });
  });

  it('4 when the stack cannot start or something breaks unexpectedly', async () => {
    const h = harness(undefined, { startStack: async () => Promise.reject(new Error('port 4569 is in use')) });
    expect(await main(['--data', 'rows.csv'], h.context)).toBe(EXIT.error);
    expect(h.stderr()).toContain('the offline stack could not start: Error: port 4569 is in use');
    const broken = harness(async () => Promise.reject(new Error('socket hang up')));
    expect(await main(['--data', 'rows.csv'], broken.context)).toBe(EXIT.error);
    expect(broken.stderr()).toContain('pnpm pipeline: Error: socket hang up');
    expect(broken.close).toHaveBeenCalled();
  });

  it('0 for --help, which lists them', async () => {
    const h = harness();
    expect(await main(['--help'], h.context)).toBe(EXIT.succeeded);
    expect(h.stdout.join('')).toMatch(/Exit codes\n {4}0 {2}the execution succeeded/);
  });
});

describe('Ctrl-C', () => {
  /** A run that waits until it is aborted, as runPipeline's polling does. */
  const waitsForAbort: MainContext['runPipeline'] = (_stack, _options, _progress, signal) =>
    new Promise((_resolve, reject) => signal!.addEventListener('abort', () => reject(new InterruptedError('interrupted'))));

  it('130 with an "interrupted" line; the stack is closed', async () => {
    const h = harness(waitsForAbort);
    const done = main(['--data', 'rows.csv'], h.context);
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGINT');
    expect(await done).toBe(EXIT.interrupted);
    expect(h.stderr()).toContain('interrupted (SIGINT) before the run started: closing the offline stack; the run is abandoned with it (exit 130)');
    expect(h.close).toHaveBeenCalled();
    expect(h.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('143 for SIGTERM; a second signal leaves without waiting for the stack to close', async () => {
    let closing!: () => void;
    const h = harness(waitsForAbort);
    h.close.mockImplementation(() => new Promise<undefined>((r) => (closing = () => r(undefined))));
    const done = main(['--data', 'rows.csv'], h.context);
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGTERM');
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGINT');
    expect(h.exits).toEqual([EXIT.interrupted]);
    expect(h.stderr()).toContain('pnpm pipeline: SIGINT again: exiting without waiting for the offline stack to close');
    closing();
    expect(await done).toBe(EXIT.terminated);
  });

  it('while the stack starts: no run begins once it is up, and it is closed', async () => {
    const h = harness();
    const close = jest.fn(async () => undefined);
    h.context.startStack = async () => {
      h.signals.emit('SIGINT');
      return { close } as unknown as LocalStack;
    };
    expect(await main(['--data', 'rows.csv'], h.context)).toBe(EXIT.interrupted);
    expect(h.runs).toEqual([]);
    expect(close).toHaveBeenCalled();
  });
});

describe('--data', () => {
  it('is found in the directory pnpm says the command ran in (INIT_CWD), not the process’s', async () => {
    const h = harness(undefined, { env: { INIT_CWD: dir }, cwd: '/' });
    expect(await main(['--data', 'rows.csv'], h.context)).toBe(EXIT.succeeded);
    expect(h.runs[0]!.data).toBe(join(dir, 'rows.csv'));
  });
});
