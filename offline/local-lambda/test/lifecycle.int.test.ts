import { spawn } from 'node:child_process';
import path from 'node:path';
import { createLocalLambda, PoolClosedError } from '../src';
import { FIXTURES, handlerSpec, isAlive, rejectionOf, waitUntilDead } from './helpers';

const REPO_ROOT = path.resolve(__dirname, '../../..');

describe('close()', () => {
  it('kills every environment, idle or busy, and waits for them', async () => {
    const lambda = createLocalLambda({ functions: [handlerSpec('counter'), handlerSpec('sleeps'), handlerSpec('spins')], shutdownGraceMs: 500 });
    await lambda.invoke('counter', {});
    await Promise.all([lambda.invoke('sleeps', { ms: 1 }), lambda.invoke('sleeps', { ms: 1 })]);
    const busy = rejectionOf(lambda.invoke('sleeps', { ms: 60_000 }));
    const spinning = rejectionOf(lambda.invoke('spins', {})); // a busy loop still dies of SIGTERM's default action
    const pids = lambda.pids();
    expect(pids.length).toBeGreaterThanOrEqual(4);
    expect(pids.every(isAlive)).toBe(true);

    await lambda.close();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(lambda.pids()).toEqual([]);
    expect(await busy).toMatchObject({ name: 'Runtime.ExitError', message: expect.stringMatching(/signal: terminated$/) });
    expect(await spinning).toMatchObject({ name: 'Runtime.ExitError' });
    expect(await rejectionOf(lambda.invoke('counter', {}))).toBeInstanceOf(PoolClosedError);
    await lambda.close(); // idempotent
  });

  it('SIGKILLs an environment that ignores SIGTERM after the grace period', async () => {
    const lambda = createLocalLambda({
      functions: [{ name: 'stubborn', bundlePath: path.join(FIXTURES, 'ignores-sigterm.js') }],
      shutdownGraceMs: 200,
    });
    await expect(lambda.invoke('stubborn', {})).resolves.toBe('ignoring SIGTERM');
    const [pid] = lambda.pids();
    await lambda.close();
    expect(isAlive(pid!)).toBe(false);
  });
});

describe('the parent going away', () => {
  function startParent(mode: 'exit' | 'wait' | 'idle') {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'parent.ts'), mode], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = new Promise<number[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as number[]);
      });
      child.once('exit', (code) => reject(new Error(`parent exited (${code}) before reporting its environments`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, pids, exited };
  }

  it.each(['exit', 'idle'] as const)('takes its environments with it when it ends (%s)', async (mode) => {
    const parent = startParent(mode);
    const pids = await parent.pids;
    expect(pids).toHaveLength(2);
    expect(await parent.exited).toBe(0);
    for (const pid of pids) expect(await waitUntilDead(pid)).toBe(true);
  });

  it('leaves no orphans when the parent is SIGKILLed', async () => {
    const parent = startParent('wait');
    const pids = await parent.pids;
    expect(pids.every(isAlive)).toBe(true);
    parent.child.kill('SIGKILL');
    await parent.exited;
    // No exit hook runs on SIGKILL: the environments notice the IPC channel closing and exit.
    for (const pid of pids) expect(await waitUntilDead(pid)).toBe(true);
  });
});
