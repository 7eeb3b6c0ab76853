/**
 * The run's live view: on a terminal, a block redrawn in place (current state, job statuses, poll
 * counts, elapsed time); elsewhere, one plain line per state entered. Writes to stderr so that
 * `--json` keeps stdout for the summary alone.
 */
import type { ExecutionTracker, PollView } from './tracker';

export interface ProgressView {
  update(tracker: ExecutionTracker, elapsedMs: number, status: string): void;
  message(text: string): void;
  done(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The poll loop a state belongs to: `AwaitChampionTransform` → the champion's transform, `AwaitTraining` → training. */
export function pollFor(tracker: Pick<ExecutionTracker, 'polls'>, state: string): PollView | undefined {
  const lower = state.toLowerCase();
  const role = lower.includes('champion') ? 'champion' : undefined;
  return [...tracker.polls.values()].find((p) => lower.includes(p.kind) && (p.kind !== 'transform' || (p.role === 'champion') === (role === 'champion')));
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressView {
  if (quiet) return { update() {}, message() {}, done() {} };
  return stream.isTTY ? new TerminalView(stream) : new PlainView(stream);
}

class PlainView implements ProgressView {
  private printed = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  update(tracker: ExecutionTracker, elapsedMs: number): void {
    for (; this.printed < tracker.path.length; this.printed++) {
      const state = tracker.path[this.printed]!;
      const poll = pollFor(tracker, state);
      const detail = poll && state.startsWith('Await') ? `  (${poll.kind} ${poll.name}: ${poll.status}${poll.secondaryStatus ? `/${poll.secondaryStatus}` : ''}, poll ${poll.polls})` : '';
      this.stream.write(`[${seconds(elapsedMs).padStart(7)}] ${state}${detail}\n`);
    }
  }
  message(text: string): void {
    this.stream.write(`${text}\n`);
  }
  done(): void {}
}

class TerminalView implements ProgressView {
  private lines = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  update(tracker: ExecutionTracker, elapsedMs: number, status: string): void {
    const rows = [`  execution  ${status}   ${seconds(elapsedMs)}`, `  state      ${tracker.current ?? '-'}`];
    for (const poll of tracker.polls.values()) {
      rows.push(`  ${(poll.role === 'champion' ? 'champion' : poll.kind).padEnd(9)}  ${poll.name}  ${poll.status}${poll.secondaryStatus ? ` / ${poll.secondaryStatus}` : ''}  polls ${poll.polls}`);
    }
    this.redraw(rows);
  }
  message(text: string): void {
    this.redraw([]);
    this.stream.write(`${text}\n`);
  }
  done(): void {
    this.lines = 0;
  }
  private redraw(rows: string[]): void {
    if (this.lines > 0) this.stream.write(`\x1b[${this.lines}A\x1b[0J`);
    for (const row of rows) this.stream.write(`${row.slice(0, (this.stream.columns ?? 120) - 1)}\n`);
    this.lines = rows.length;
  }
}
