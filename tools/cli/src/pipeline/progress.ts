/**
 * The run's live view, on stderr so that `--json` keeps stdout for the summary alone. Both forms print the
 * same lines, which stay on screen: the steps of getting ready (each with its time, so a slow start says where
 * the time goes) and one line per state. On a terminal a block at the bottom is redrawn in place: steps still
 * running with their elapsed time, then the execution's status, its current state and the SageMaker jobs'.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { exitCodeOfSignal } from './exit-codes';
import { ExecutionTracker, type PollView } from './tracker';

export interface ProgressView {
  /** A step of getting ready (starting the stack, the ingestion): shown while it runs; call the result when it ends. */
  step(text: string): () => void;
  /** The state machine's definition: a Choice state is printed with the branch it took. */
  follow(definition: unknown): void;
  update(tracker: ExecutionTracker, elapsedMs: number, status: string, history: readonly HistoryEvent[]): void;
  message(text: string): void;
  done(): void;
  /** Ctrl-C (or SIGTERM): says what was going on and that the stack closes, which abandons the run. */
  interrupted(signal: NodeJS.Signals): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const stamp = (elapsedMs: number, line: string) => `[${seconds(elapsedMs).padStart(7)}] ${line}`;

/** The poll loop a state belongs to: `AwaitChampionTransform` → the champion's transform, `AwaitTraining` → training. */
export function pollFor(tracker: Pick<ExecutionTracker, 'polls'>, state: string): PollView | undefined {
  const lower = state.toLowerCase();
  const role = lower.includes('champion') ? 'champion' : undefined;
  return [...tracker.polls.values()].find((p) => lower.includes(p.kind) && (p.kind !== 'transform' || (p.role === 'champion') === (role === 'champion')));
}

/**
 * A poll's statuses with their names: SageMaker's job status and secondary status (DescribeTrainingJob's
 * TrainingJobStatus and SecondaryStatus), or an endpoint's status. Bare, `Completed / Completed` read as a riddle.
 */
export function pollStatus(poll: PollView): string {
  const status = `${poll.kind === 'endpoint' ? 'endpoint' : 'job'} status ${poll.status || '?'}`;
  return poll.secondaryStatus ? `${status}, secondary status ${poll.secondaryStatus}` : status;
}

/** Every Choice state's possible next states, by name, Parallel branches included. */
export function choiceTargets(definition: unknown): Map<string, Set<string>> {
  const targets = new Map<string, Set<string>>();
  type State = { Type?: string; Choices?: { Next?: string }[]; Default?: string; Branches?: { States?: Record<string, State> }[]; Iterator?: { States?: Record<string, State> }; ItemProcessor?: { States?: Record<string, State> } };
  const walk = (states: Record<string, State> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Choice') targets.set(name, new Set([...(state.Choices ?? []).map((c) => c.Next), state.Default].filter((n): n is string => typeof n === 'string')));
      for (const branch of state.Branches ?? []) walk(branch.States);
      walk(state.Iterator?.States ?? state.ItemProcessor?.States);
    }
  };
  walk((definition as { States?: Record<string, State> } | undefined)?.States);
  return targets;
}

/**
 * Turns an execution's history into the lines a person reads, one per state, in the order they become known.
 * A Choice state is a question, not a result: it is printed once the branch it took is entered
 * (`TrainingDone? → WaitForTraining`), never as a bare `TrainingDone` while the job still runs. An await loop's
 * poll Task is printed when it exits, with the statuses its poll saw.
 */
export class StepLog {
  private seen = 0;
  private readonly choices: { name: string; targets?: Set<string> }[] = [];
  private readonly awaiting = new Set<string>();
  private targets = new Map<string, Set<string>>();
  /** The state the execution is in, a Choice with its `?`. */
  current?: string;

  follow(definition: unknown): void {
    this.targets = choiceTargets(definition);
  }

  /** The lines of the events not seen before (the history is passed whole each time, oldest first). */
  take(history: readonly HistoryEvent[]): string[] {
    const lines = history.slice(this.seen).flatMap((event) => this.apply(event));
    this.seen = history.length;
    return lines;
  }

  /** What is still pending when the execution ends: a poll that never exited, a Choice whose branch never started. */
  flush(): string[] {
    const lines = [...this.awaiting, ...this.choices.map((c) => `${c.name}? (no branch taken)`)];
    this.awaiting.clear();
    this.choices.length = 0;
    return lines;
  }

  private apply(event: HistoryEvent): string[] {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      const name = event.stateEnteredEventDetails.name;
      const lines: string[] = [];
      // Without the definition, a Choice's branch is the next state entered.
      const decided = this.choices.findIndex((c) => !c.targets || c.targets.has(name));
      if (decided >= 0) lines.push(`${this.choices.splice(decided, 1)[0]!.name}? → ${name}`);
      if (this.awaiting.delete(name)) lines.push(name);
      if (type === 'ChoiceStateEntered') {
        this.current = `${name}?`;
        this.choices.push({ name, targets: this.targets.get(name) });
      } else {
        this.current = name;
        if (type === 'TaskStateEntered' && name.startsWith('Await')) this.awaiting.add(name);
        else lines.push(name);
      }
      return lines;
    }
    const exited = event.stateExitedEventDetails?.name;
    if (type === 'TaskStateExited' && exited && this.awaiting.delete(exited)) {
      // The exit's output carries this poll's result; a tracker of this one event reads it as the live view does.
      const one = new ExecutionTracker();
      one.update([event]);
      const poll = pollFor(one, exited);
      return [poll ? `${exited}: ${poll.kind === 'endpoint' ? 'endpoint' : `${poll.kind} job`} ${poll.name}, ${pollStatus(poll)} (poll ${poll.polls})` : exited];
    }
    return [];
  }
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr, quiet = false, now: () => number = Date.now): ProgressView {
  if (quiet) return { step: () => () => undefined, follow() {}, update() {}, message() {}, done() {}, interrupted() {} };
  return stream.isTTY ? new TerminalView(stream, now) : new PlainView(stream, now);
}

interface OpenStep {
  text: string;
  started: number;
}

/** The line that says what Ctrl-C interrupted and what happens next. */
function interruptedLine(signal: NodeJS.Signals, step: OpenStep | undefined, state: string | undefined, elapsedMs: number | undefined, now: number): string {
  const during = step ? `while ${step.text} (${seconds(now - step.started)})` : state ? `in state ${state}, ${seconds(elapsedMs ?? 0)} into the run` : 'before the run started';
  return `interrupted (${signal}) ${during}: closing the offline stack; the run is abandoned with it (exit ${exitCodeOfSignal(signal)})`;
}

class PlainView implements ProgressView {
  private readonly log = new StepLog();
  private readonly steps = new Set<OpenStep>();
  /** A step's line waiting for its time (`starting the stack... 2.1s`); any other line ends it first. */
  private open?: OpenStep;
  private elapsedMs?: number;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number,
  ) {}
  step(text: string): () => void {
    this.line();
    const step = { text, started: this.now() };
    this.steps.add(step);
    this.stream.write(`${text}...`);
    this.open = step;
    return () => {
      if (!this.steps.delete(step)) return;
      const took = seconds(this.now() - step.started);
      if (this.open === step) this.stream.write(` ${took}\n`);
      else this.write(`${text}: ${took}`);
      if (this.open === step) this.open = undefined;
    };
  }
  follow(definition: unknown): void {
    this.log.follow(definition);
  }
  update(_tracker: ExecutionTracker, elapsedMs: number, _status: string, history: readonly HistoryEvent[]): void {
    this.elapsedMs = elapsedMs;
    for (const line of this.log.take(history)) this.write(stamp(elapsedMs, line));
  }
  message(text: string): void {
    this.write(text);
  }
  done(): void {
    for (const line of this.log.flush()) this.write(stamp(this.elapsedMs ?? 0, line));
  }
  interrupted(signal: NodeJS.Signals): void {
    this.done();
    this.write(interruptedLine(signal, [...this.steps].at(-1), this.log.current, this.elapsedMs, this.now()));
    // A step cut short ends here: its time printed after this line would read as if it had finished.
    this.steps.clear();
  }
  private line(): void {
    if (!this.open) return;
    this.stream.write('\n');
    this.open = undefined;
  }
  private write(text: string): void {
    this.line();
    this.stream.write(`${text}\n`);
  }
}

class TerminalView implements ProgressView {
  private readonly log = new StepLog();
  private readonly steps = new Set<OpenStep>();
  private rows: string[] = [];
  private drawn = 0;
  private ticker?: NodeJS.Timeout;
  private elapsedMs?: number;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number,
  ) {}
  step(text: string): () => void {
    const step = { text, started: this.now() };
    this.steps.add(step);
    // A step's time keeps moving on screen, so a slow start never looks like a hang.
    this.ticker ??= setInterval(() => this.render([]), 250).unref();
    this.render([]);
    return () => {
      if (!this.steps.delete(step)) return;
      if (this.steps.size === 0) this.stopTicker();
      this.render([`${text}: ${seconds(this.now() - step.started)}`]);
    };
  }
  follow(definition: unknown): void {
    this.log.follow(definition);
  }
  update(tracker: ExecutionTracker, elapsedMs: number, status: string, history: readonly HistoryEvent[]): void {
    this.elapsedMs = elapsedMs;
    const lines = this.log.take(history).map((line) => stamp(elapsedMs, line));
    this.rows = [`  execution  ${status}   ${seconds(elapsedMs)}   state ${this.log.current ?? '-'}`];
    for (const poll of tracker.polls.values()) {
      this.rows.push(`  ${(poll.role === 'champion' ? 'champion' : poll.kind).padEnd(9)}  ${poll.name}   ${pollStatus(poll)}   (poll ${poll.polls})`);
    }
    this.render(lines);
  }
  message(text: string): void {
    this.render([text]);
  }
  /** The last block (final status, the jobs' last statuses) stays on screen under the state lines. */
  done(): void {
    this.stopTicker();
    this.render(this.log.flush().map((line) => stamp(this.elapsedMs ?? 0, line)));
    this.drawn = 0;
  }
  interrupted(signal: NodeJS.Signals): void {
    this.stopTicker();
    const line = interruptedLine(signal, [...this.steps].at(-1), this.log.current, this.elapsedMs, this.now());
    this.steps.clear();
    this.render([...this.log.flush().map((l) => stamp(this.elapsedMs ?? 0, l)), line]);
    this.drawn = 0;
  }
  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
  /** Erases the live block, writes `lines` above it for good, and draws the block again. */
  private render(lines: string[]): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[0J`);
    // A terminal of unknown size (columns 0, as under `script`) would otherwise cut every row to nothing.
    const width = (this.stream.columns || 120) - 1;
    for (const line of lines) this.stream.write(`${line}\n`);
    const live = [...[...this.steps].map((s) => `${s.text}... ${seconds(this.now() - s.started)}`), ...this.rows];
    for (const row of live) this.stream.write(`${row.slice(0, width)}\n`);
    this.drawn = live.length;
  }
}
