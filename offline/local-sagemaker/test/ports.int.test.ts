/** Ports for serving containers: never the same one twice while the first is held. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogStore } from '../src/logs';
import { ProcessManager } from '../src/processes';

let dir: string;
let procs: ProcessManager;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ports-'));
  procs = new ProcessManager(new LogStore(dir));
});
afterEach(async () => {
  await procs.stopAll(1000);
  procs.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('ports reserved at the same moment are all different', async () => {
  const ports = await Promise.all(Array.from({ length: 64 }, () => procs.reservePort()));
  expect(new Set(ports).size).toBe(64);
  for (const port of ports) expect(port).toBeGreaterThan(0);
});

it('a port the kernel hands out again while it is reserved is skipped', async () => {
  // What the kernel did once in CI: the port just released by one pick, handed to the next.
  const picks = [41689, 41689, 41689, 40757];
  const repeating = new ProcessManager(new LogStore(dir), undefined, async () => picks.shift()!);
  try {
    expect(await Promise.all([repeating.reservePort(), repeating.reservePort()])).toEqual([41689, 40757]);
  } finally {
    repeating.dispose();
  }
});

it('gives up with a clear error when no other port comes', async () => {
  const stuck = new ProcessManager(new LogStore(dir), undefined, async () => 41689);
  try {
    await stuck.reservePort();
    await expect(stuck.reservePort()).rejects.toThrow('no free TCP port on 127.0.0.1 outside the ones already reserved');
  } finally {
    stuck.dispose();
  }
});

it('a port stays reserved while its process runs and is released when it exits', async () => {
  const port = await procs.reservePort();
  const proc = procs.spawn({ kind: 'endpoint', owner: 'ep', argv: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], env: {}, cwd: dir, root: dir, port });
  expect(procs.reservedPort(port)).toBe(true);
  await proc.stop(1000);
  await new Promise((r) => setImmediate(r));
  expect(procs.reservedPort(port)).toBe(false);
});

it('releasePort frees a port no process was started with', async () => {
  const port = await procs.reservePort();
  procs.releasePort(port);
  expect(procs.reservedPort(port)).toBe(false);
});
