import type { LogEvent } from './types';

/** A function's log events, bounded so a long offline run cannot grow without limit. */
export class LogStore {
  private events: LogEvent[] = [];

  constructor(private readonly capacity: number) {}

  add(event: LogEvent): void {
    this.events.push(event);
    // Trim in batches: one splice per 10% overflow instead of a shift per line.
    if (this.events.length > this.capacity + Math.ceil(this.capacity / 10)) {
      this.events.splice(0, this.events.length - this.capacity);
    }
  }

  all(): LogEvent[] {
    return this.events.slice(-this.capacity);
  }
}

/** An `onLog` sink that writes each line prefixed with its function's name (to stderr by default). */
export function prefixedLogSink(write: (text: string) => void = (text) => process.stderr.write(text)) {
  return (functionName: string, line: string): void => write(`[${functionName}] ${line}\n`);
}
