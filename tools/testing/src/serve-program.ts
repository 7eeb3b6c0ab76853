/**
 * Running an image's programs as SageMaker would, for the images' own tests: a program to its end
 * (train, process), or `serve` on a free port (the contract forbids port 0), ready once it logs that
 * it is serving, failing fast if it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` in `cwd` with only PATH and `env` (a clean, SageMaker-like environment) to its end. */
export function runNodeProgram(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServeProgram {
  process: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  exited: Promise<ExitStatus>;
}

/** Runs `node <args>` in `cwd` with `env` plus the bind settings, and waits for its "serving " line. */
export async function startServeProgram(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<ServeProgram> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env, SAGEMAKER_BIND_HOST: '127.0.0.1', SAGEMAKER_BIND_TO_PORT: String(port) },
  });
  const exited = new Promise<ExitStatus>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('serving ')) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
  });
  return { process: child, base: `http://127.0.0.1:${port}`, exited };
}
