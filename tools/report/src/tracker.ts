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
  /** For the Parallel's transforms: whose job it is (the run's model, or the family's live model). */
  role?: 'challenger' | 'champion';
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
  /** The last poll of each loop: by kind (`training`, `transform`, `endpoint`), the champion's transform as `transform:champion`. */
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

  /**
   * A poll Task's output carries `{kind, name, state, status, attempt}` under its ResultPath key: `trainingPoll`,
   * `endpointPoll`, or `poll` inside the Parallel's branches (the challenger's or the champion's transform, told
   * apart by the champion's job name in `batch.champion`); the Parallel's output has both under `transforms`.
   */
  private notePoll(output: string | undefined): void {
    if (!output) return;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(output) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof doc !== 'object' || doc === null) return;
    const transforms = doc.transforms as { challenger?: unknown; champion?: unknown } | undefined;
    const championJob = (doc.batch as { champion?: { transformJobName?: string } } | undefined)?.champion?.transformJobName;
    const candidates: [unknown, PollView['role']][] = [
      [doc.trainingPoll, undefined],
      [doc.transformPoll, 'challenger'],
      [transforms?.challenger, 'challenger'],
      [transforms?.champion, 'champion'],
      [doc.poll, undefined],
      [doc.endpointPoll, undefined],
    ];
    for (const [candidate, given] of candidates) {
      const poll = candidate as { kind?: string; name?: string; status?: string; secondaryStatus?: string; state?: string; attempt?: number } | undefined;
      if (!poll?.kind || !poll.name) continue;
      const role = given ?? (poll.kind === 'transform' ? (poll.name === championJob ? 'champion' : 'challenger') : undefined);
      const view: PollView = { kind: poll.kind, name: poll.name, polls: poll.attempt ?? 0, status: poll.status ?? '', secondaryStatus: poll.secondaryStatus, state: poll.state ?? '' };
      if (role) view.role = role;
      this.polls.set(role === 'champion' ? `${poll.kind}:champion` : poll.kind, view);
    }
  }

  timings(): StepTiming[] {
    return [...this.steps.values()];
  }
}
