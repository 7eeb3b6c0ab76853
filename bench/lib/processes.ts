/** Child processes for the benchmarks: a fresh Node per measurement, results as one JSON line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT } from './paths';

/** Node with TypeScript (tsx) and the @middy ESM shim, as the benchmarks themselves run. */
export const TS_NODE_ARGS = ['--require', join(ROOT, 'bench/support/require-esm.cjs'), '--import', 'tsx'];

export interface RunOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** Runs a script to completion; resolves with the JSON of its last stdout line. */
export function runJson<T>(script: string, options: RunOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? TS_NODE_ARGS), script, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result: ${stdout.slice(-500)} ${stderr.slice(-1000)}`));
      }
    });
  });
}

export interface Server {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bench/lib/s3-server.ts and waits for its endpoint. */
export function startS3Server(buckets: string[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_NODE_ARGS, join(ROOT, 'bench/lib/s3-server.ts'), ...buckets], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`s3 server exited with ${code}`)));
    lines.once('line', (line) => {
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      resolve({
        endpoint,
        process: child,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.stdin!.end();
          }),
      });
    });
  });
}
