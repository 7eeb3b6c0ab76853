import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FunctionSpec } from '../src';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const HANDLERS = path.join(FIXTURES, 'handlers.js');

/** A function running one export of fixtures/handlers.js. */
export function handlerSpec(exportName: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  return { name: exportName, bundlePath: HANDLERS, handlerExport: exportName, timeoutSeconds: 10, ...overrides };
}

/** Alive and not a zombie (a reaped-late orphan is dead for our purposes). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `condition` holds, at most `ms`; returns whether it did. */
export async function eventually(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Polls until the process is gone, at most `ms`. */
export function waitUntilDead(pid: number, ms = 10_000): Promise<boolean> {
  return eventually(() => !isAlive(pid), ms);
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
