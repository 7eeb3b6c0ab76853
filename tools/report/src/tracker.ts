/**
 * Follows an execution through its Step Functions history (the same events AWS records) and derives
 * what a person wants to watch: the current state, per-state entries and time, the poll loops' counts
 * and the SageMaker statuses they last saw. `pnpm pipeline` follows a running execution with it;
 * `pnpm mlops report` replays a finished one.
 */
import type { StepTiming } from './types';

/** The fields of a Step Functions history event (the SDK's HistoryEvent) the tracker reads. */
export interface TrackedHistoryEvent {
  timestamp?: Date;
  type?: string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string; output?: string };
}

export interface PollView {
  kind: string;
  name: string;
  polls: number;
  status: string;
  secondaryStatus?: string;
  state: string;
}

export class ExecutionTracker {
  readonly path: string[] = [];
  private readonly steps = new Map<string, StepTiming>();
  private readonly open = new Map<string, number>();
  readonly polls = new Map<string, PollView>();
  private seen = 0;
  current?: string;

  /** Feeds the full history (oldest first); only events not seen before are applied. */
  update(events: TrackedHistoryEvent[]): boolean {
    const fresh = events.slice(this.seen);
    this.seen = events.length;
    for (const event of fresh) this.apply(event);
    return fresh.length > 0;
  }

  private apply(event: TrackedHistoryEvent): void {
    const at = event.timestamp ? new Date(event.timestamp).getTime() : Date.now();
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      const name = event.stateEnteredEventDetails.name;
      this.path.push(name);
      this.current = name;
      this.open.set(name, at);
      const step = this.steps.get(name) ?? { state: name, type: type.replace(/StateEntered$/, ''), entries: 0, totalMs: 0, firstEnteredAt: new Date(at).toISOString() };
      step.entries++;
      this.steps.set(name, step);
      // Fail and Succeed states have no Exited event.
      if (type === 'FailStateEntered' || type === 'SucceedStateEntered') this.open.delete(name);
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name) {
      const name = event.stateExitedEventDetails.name;
      const entered = this.open.get(name);
      if (entered !== undefined) this.steps.get(name)!.totalMs += at - entered;
      this.open.delete(name);
      this.notePoll(event.stateExitedEventDetails.output);
    }
  }

  /** A poll Task's output carries `{kind, name, state, status, attempt}` under its ResultPath key. */
  private notePoll(output: string | undefined): void {
    if (!output) return;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(output) as Record<string, unknown>;
    } catch {
      return;
    }
    // The pipeline's Parallel transforms put the challenger's poll under `transforms.challenger`.
    const transforms = doc.transforms as { challenger?: unknown } | undefined;
    for (const candidate of [doc.trainingPoll, doc.transformPoll, transforms?.challenger, doc.endpointPoll]) {
      const poll = candidate as { kind?: string; name?: string; status?: string; secondaryStatus?: string; state?: string; attempt?: number } | undefined;
      if (poll?.kind && poll.name) {
        this.polls.set(poll.kind, { kind: poll.kind, name: poll.name, polls: poll.attempt ?? 0, status: poll.status ?? '', secondaryStatus: poll.secondaryStatus, state: poll.state ?? '' });
      }
    }
  }

  timings(): StepTiming[] {
    return [...this.steps.values()];
  }
}
