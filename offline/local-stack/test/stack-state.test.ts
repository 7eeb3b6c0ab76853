/**
 * The persistent stack's state on disk (src/stack-state.ts): Dates survive the file, a live stack
 * keeps a second one off its folder, a dead one's state is handed over, its leftover processes are
 * reaped only when they still run the recorded command, and the clock goes on where it stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { continuedClock, emulatedClock } from '../src/signing-clock';
import { decodeState, encodeState, reapProcesses, StackState } from '../src/stack-state';

const dirs: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-state-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sources = (processes: { pid: number; argv: string[] }[] = []) => ({
  sageMaker: () => ({ version: 1 as const, tags: [], models: [], endpointConfigs: [], trainingJobs: [], transformJobs: [], endpoints: [], modelPackageGroups: [], modelPackages: [], processes: processes.map((p) => ({ ...p, kind: 'endpoint' as const, owner: 'ep', root: '/tmp', startedAt: new Date(0) })) }),
  executions: () => [],
  emulatedNow: () => Date.UTC(2030, 0, 1),
});

describe('the state codec', () => {
  it('keeps Dates as Dates, and everything else as it was', () => {
    const value = { at: new Date('2026-12-05T23:52:19.123Z'), nested: [{ when: new Date(0), n: 1, s: '2026-12-05T23:52:19.123Z' }], none: null };
    const back = decodeState<typeof value>(encodeState(value));
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(typeof back.nested[0]!.s).toBe('string');
  });
});

describe('StackState', () => {
  it('starts empty on a new folder, then hands a closed stack over as not interrupted', () => {
    const dir = folder();
    const first = new StackState(dir);
    expect(first.previous).toBeUndefined();
    first.track(sources());
    first.close();
    const next = new StackState(dir);
    expect(next.previous).toMatchObject({ pid: process.pid, interrupted: false, emulatedNow: Date.UTC(2030, 0, 1) });
    expect(next.previous!.lastSeen).toBeInstanceOf(Date);
  });

  it('hands over a stack that died without closing as interrupted', () => {
    const dir = folder();
    const stack = join(dir, 'stack.json');
    writeFileSync(stack, encodeState({ pid: 2 ** 22 + 7, startedAt: new Date(), lastSeen: new Date(), emulatedNow: 5, running: true }));
    expect(new StackState(dir).previous).toMatchObject({ pid: 2 ** 22 + 7, interrupted: true });
  });

  it('refuses a folder whose stack is alive (another process, seen lately)', () => {
    const dir = folder();
    writeFileSync(join(dir, 'stack.json'), encodeState({ pid: process.ppid, startedAt: new Date(), lastSeen: new Date(), emulatedNow: 5, running: true }));
    expect(() => new StackState(dir)).toThrow(`another offline stack (pid ${process.ppid}) is running on ${dir}: stop it first`);
  });

  it('says which file it cannot read instead of starting empty', () => {
    const dir = folder();
    writeFileSync(join(dir, 'stack.json'), '{"pid": ');
    expect(() => new StackState(dir)).toThrow(/saved state .*stack\.json cannot be read .*remove it to start empty/);
  });

  it('writes the state files atomically (no temporary file left)', () => {
    const dir = folder();
    const state = new StackState(dir);
    state.track(sources());
    state.saveNow();
    state.close();
    expect(['stack.json', 'sagemaker.json', 'stepfunctions.json'].map((f) => existsSync(join(dir, f)))).toEqual([true, true, true]);
    expect(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8'))).toMatchObject({ running: false });
  });
});

describe('reaping', () => {
  it('kills a leftover process that still runs the recorded command, and leaves a recycled pid alone', async () => {
    const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((r) => setTimeout(r, 100));
    // The same pid with another command line: a recycled pid, not ours.
    expect(reapProcesses(sources([{ pid: child.pid!, argv: [process.execPath, 'other.js'] }]).sageMaker().processes)).toEqual([]);
    expect(child.exitCode).toBeNull();
    expect(reapProcesses(sources([{ pid: child.pid!, argv }]).sageMaker().processes)).toEqual([{ pid: child.pid, kind: 'endpoint', owner: 'ep' }]);
    expect(await exited).toBe('SIGKILL');
    expect(reapProcesses(sources([{ pid: child.pid!, argv }]).sageMaker().processes)).toEqual([]);
  });
});

describe('the clock across restarts', () => {
  it('goes on from where the previous stack stopped, at the same rate', () => {
    const resumeAt = Date.now() + 3_600_000;
    const clock = emulatedClock(continuedClock(100, resumeAt));
    expect(Math.abs(clock.now() - resumeAt)).toBeLessThan(1_000);
  });

  it('starts at the wall clock without a previous stack, or at rate 1', () => {
    expect(continuedClock(100, undefined).epochMs).toBeLessThanOrEqual(Date.now());
    expect(Math.abs(emulatedClock(continuedClock(1, Date.now() + 60_000)).now() - Date.now())).toBeLessThan(1_000);
  });
});
