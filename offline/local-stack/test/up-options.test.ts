import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clean } from '../src/clean';
import { PORTS, portInUseMessage, UP_HELP, upOptions } from '../src/up-options';

describe('pnpm local:up options', () => {
  it('defaults: stage local, no params, every documented port', () => {
    const options = upOptions([], {});
    expect(options).toEqual({
      help: false,
      stages: ['local'],
      params: {},
      ports: { s3: 4569, sagemaker: 4599, stepfunctions: 8083, sqs: 9324, lambda: 3001, cloudwatch: 4582 },
      waitScale: 0.01,
    });
    // The help names every port variable with its default.
    for (const p of PORTS) expect(UP_HELP).toContain(`${p.variable.padEnd(26)} ${p.label} port (default ${p.port})`);
  });

  it('takes stages, params and ports', () => {
    const options = upOptions(['--stage', 'local', '--stage=localprod', '--param', 'retrainSchedule=rate(1 hour)', '--param', 'gateTolerance=0.5'], { MLOPS_SQS_PORT: '0', MLOPS_WAIT_SCALE: '0.1' });
    expect(options).toMatchObject({ stages: ['local', 'localprod'], params: { retrainSchedule: 'rate(1 hour)', gateTolerance: '0.5' }, waitScale: 0.1 });
    expect(options.ports.sqs).toBe(0);
    expect(upOptions(['--help'], {}).help).toBe(true);
  });

  it.each([
    [['--stages', 'local'], {}, "Unknown option '--stages'"],
    [['--param', 'novalue'], {}, "--param 'novalue': expected <name>=<value>"],
    [[], { MLOPS_S3_PORT: 'http' }, 'MLOPS_S3_PORT=http: not a port number (0 to 65535)'],
    [[], { MLOPS_LAMBDA_PORT: '70000' }, 'MLOPS_LAMBDA_PORT=70000: not a port number'],
    [[], { MLOPS_WAIT_SCALE: '0' }, 'MLOPS_WAIT_SCALE=0: a number in (0, 1]'],
  ] as const)('refuses %j %j naming the option', (argv, env, message) => {
    expect(() => upOptions(argv, env)).toThrow(message);
  });

  it('names the service and the variable of a port in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const second = createServer();
    const error = await new Promise<Error>((resolve) => second.once('error', resolve).listen(port, '127.0.0.1'));
    busy.close();
    const ports = { ...upOptions([], {}).ports, stepfunctions: port };
    expect(portInUseMessage(error, ports)).toBe(`port ${port} (Step Functions) is in use by another process: stop it, or set MLOPS_STEPFUNCTIONS_PORT to a free port (0 picks one)`);
    expect(portInUseMessage(new Error('other'), ports)).toBeUndefined();
  });
});

describe('pnpm local:clean', () => {
  function folder() {
    const dir = join(mkdtempSync(join(tmpdir(), 'mlops-clean-')), '.local');
    mkdirSync(join(dir, 'stack', 'state'), { recursive: true });
    writeFileSync(join(dir, 'stages.json'), '{}');
    writeFileSync(join(dir, 'stack', 'state', 'stack.json'), JSON.stringify({ pid: 1, running: false, lastSeen: { $date: new Date().toISOString() } }));
    return dir;
  }
  const io = (answer?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), ...(answer === undefined ? {} : { ask: async () => answer }) } };
  };

  it('lists, asks, and deletes on "yes"', async () => {
    const dir = folder();
    const { out, io: streams } = io('yes');
    expect(await clean([], dir, streams)).toBe(0);
    expect(out.join('')).toMatch(/stages\.json\s+2 B/);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps everything when the answer is not "yes", and without a terminal or --yes', async () => {
    const dir = folder();
    expect(await clean([], dir, io('no').io)).toBe(1);
    const noTerminal = io();
    expect(await clean([], dir, noTerminal.io)).toBe(2);
    expect(noTerminal.err.join('')).toContain('no terminal to confirm on: nothing deleted');
    expect(existsSync(join(dir, 'stages.json'))).toBe(true);
    expect(await clean(['--yes'], dir, io().io)).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses while a stack runs on the folder', async () => {
    const dir = folder();
    // This very process stands in for a live stack: its pid, seen just now.
    writeFileSync(join(dir, 'stack', 'state', 'stack.json'), JSON.stringify({ pid: process.ppid, running: true, lastSeen: { $date: new Date().toISOString() } }));
    const { err, io: streams } = io('yes');
    expect(await clean([], dir, streams)).toBe(1);
    expect(err.join('')).toContain(`the offline stack (pid ${process.ppid}) is running on ${dir}`);
    expect(existsSync(dir)).toBe(true);
  });

  it('says when there is nothing to delete, and refuses unknown options', async () => {
    const { out, io: streams } = io();
    expect(await clean([], join(tmpdir(), 'no-such-mlops-dir'), streams)).toBe(0);
    expect(out.join('')).toContain('nothing to delete');
    expect(await clean(['--force'], folder(), io().io)).toBe(2);
  });
});
