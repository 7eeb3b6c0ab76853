/** The lines the Lambda platform writes around each invocation in the function's log stream. */
import { FUNCTION_VERSION } from './limits';

export interface ReportFields {
  requestId: string;
  durationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB?: number;
  initDurationMs?: number;
  /** Set when the invocation did not complete normally. */
  status?: 'timeout' | 'error';
  errorType?: string;
}

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: ${FUNCTION_VERSION}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** Lambda bills invoke time rounded up to the millisecond. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function reportLine(r: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${r.requestId}`,
    `Duration: ${r.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billedDurationMs(r.durationMs)} ms`,
    `Memory Size: ${r.memorySizeMB} MB`,
    `Max Memory Used: ${r.maxMemoryUsedMB ?? 0} MB`,
  ];
  if (r.initDurationMs !== undefined) parts.push(`Init Duration: ${r.initDurationMs.toFixed(2)} ms`);
  if (r.status) parts.push(`Status: ${r.status}`);
  if (r.errorType) parts.push(`Error Type: ${r.errorType}`);
  return parts.join('\t');
}

export function timeoutLine(now: Date, requestId: string, timeoutSeconds: number): string {
  return `${now.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}
