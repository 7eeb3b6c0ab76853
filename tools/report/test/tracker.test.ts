import { ExecutionTracker, type TrackedHistoryEvent } from '../src';

const at = (i: number) => new Date(Date.UTC(2025, 2, 1, 10, 0, i));
const entered = (i: number, type: string, name: string): TrackedHistoryEvent => ({ timestamp: at(i), type: `${type}StateEntered`, stateEnteredEventDetails: { name } });
const exited = (i: number, type: string, name: string, output?: unknown): TrackedHistoryEvent => ({ timestamp: at(i), type: `${type}StateExited`, stateExitedEventDetails: { name, output: output === undefined ? undefined : JSON.stringify(output) } });
const poll = (name: string, attempt: number, state = 'InProgress') => ({ kind: 'transform', name, state, status: state === 'Succeeded' ? 'Completed' : 'InProgress', attempt });

describe('ExecutionTracker', () => {
  it("follows the Parallel's branches: each transform's polls under its role, the path with branch states", () => {
    const batch = { transformJobName: 'run-1-transform', champion: { transformJobName: 'run-1-champion' } };
    const tracker = new ExecutionTracker();
    tracker.update([
      entered(0, 'Parallel', 'Transforms'),
      entered(1, 'Task', 'AwaitChallengerTransform'),
      entered(1, 'Task', 'AwaitChampionTransform'),
      exited(2, 'Task', 'AwaitChallengerTransform', { batch, poll: poll('run-1-transform', 1) }),
      exited(3, 'Task', 'AwaitChampionTransform', { batch, poll: poll('run-1-champion', 1) }),
      entered(4, 'Task', 'AwaitChallengerTransform'),
      exited(5, 'Task', 'AwaitChallengerTransform', { batch, poll: poll('run-1-transform', 2, 'Succeeded') }),
    ]);
    expect(tracker.path).toEqual(['Transforms', 'AwaitChallengerTransform', 'AwaitChampionTransform', 'AwaitChallengerTransform']);
    expect(tracker.polls.get('transform')).toMatchObject({ role: 'challenger', name: 'run-1-transform', polls: 2, state: 'Succeeded' });
    expect(tracker.polls.get('transform:champion')).toMatchObject({ role: 'champion', name: 'run-1-champion', polls: 1 });
    expect(tracker.timings().find((s) => s.state === 'AwaitChallengerTransform')).toMatchObject({ type: 'Task', entries: 2, totalMs: 2000 });

    // The Parallel's own output (ResultSelector): both polls, the champion's may be {} (no champion).
    tracker.update([
      ...Array.from({ length: 7 }, () => ({})),
      exited(9, 'Parallel', 'Transforms', { batch, transforms: { challenger: poll('run-1-transform', 3, 'Succeeded'), champion: poll('run-1-champion', 4, 'Succeeded') } }),
    ]);
    expect(tracker.polls.get('transform:champion')).toMatchObject({ polls: 4, state: 'Succeeded' });
    const first = new ExecutionTracker();
    first.update([exited(1, 'Parallel', 'Transforms', { transforms: { challenger: poll('run-2-transform', 2, 'Succeeded'), champion: {} } })]);
    expect([...first.polls.keys()]).toEqual(['transform']);
  });
});
