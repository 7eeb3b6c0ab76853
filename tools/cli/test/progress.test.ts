/** What `pnpm pipeline` prints while it works: the start's steps, the states, the jobs' statuses, Ctrl-C. */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ExecutionTracker } from '@mlops/report';
import { createProgressView } from '../src';
import { choiceTargets, StepLog } from '../src/pipeline/progress';

/** The pipeline's shape where it matters here: two Choice states of the training loop and of a transform branch. */
const DEFINITION = {
  States: {
    AwaitTraining: { Type: 'Task', Next: 'TrainingDone' },
    TrainingDone: { Type: 'Choice', Choices: [{ Next: 'Batch' }, { Next: 'TrainingFailed' }], Default: 'WaitForTraining' },
    WaitForTraining: { Type: 'Wait', Next: 'AwaitTraining' },
    Transforms: {
      Type: 'Parallel',
      Branches: [
        { States: { ChallengerTransformDone: { Type: 'Choice', Choices: [{ Next: 'ChallengerTransformed' }], Default: 'WaitForChallengerTransform' } } },
        { States: { HasChampion: { Type: 'Choice', Choices: [{ Next: 'ChampionPollInit' }], Default: 'NoChampion' } } },
      ],
    },
  },
};

let at = Date.parse('2025-03-01T10:00:00Z');
const entered = (type: string, name: string): HistoryEvent => ({ id: 0, timestamp: new Date((at += 10)), type: `${type}StateEntered` as HistoryEvent['type'], stateEnteredEventDetails: { name } });
const exited = (type: string, name: string, output?: unknown): HistoryEvent => ({
  id: 0,
  timestamp: new Date((at += 10)),
  type: `${type}StateExited` as HistoryEvent['type'],
  stateExitedEventDetails: { name, output: output === undefined ? undefined : JSON.stringify(output) },
});
const trainingPoll = (status: string, secondaryStatus: string, attempt: number) => ({ trainingPoll: { kind: 'training', name: 'mlops-local-abalone-1-train', state: 'InProgress', status, secondaryStatus, attempt } });
const transformPoll = (status: string, attempt: number) => ({ poll: { kind: 'transform', name: 'mlops-local-abalone-1-batch', state: 'InProgress', status, attempt } });

/** One pass of the training loop: poll, the Choice, and (once known) the branch it took. */
const trainingLoop = (status: string, secondary: string, attempt: number, next?: [string, string]): HistoryEvent[] => [
  entered('Task', 'AwaitTraining'),
  exited('Task', 'AwaitTraining', trainingPoll(status, secondary, attempt)),
  entered('Choice', 'TrainingDone'),
  exited('Choice', 'TrainingDone'),
  ...(next ? [entered(next[0], next[1])] : []),
];

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: isTTY ? 0 : undefined, write: (text: string) => chunks.push(text) } as unknown as NodeJS.WriteStream;
  // What stays on screen: the text with the terminal's redraws applied (erase N lines up).
  const screen = () => {
    const lines: string[] = [];
    let current = '';
    for (const chunk of chunks.join('').split(/(\x1b\[\d+A\x1b\[0J)/)) {
      const up = /^\x1b\[(\d+)A\x1b\[0J$/.exec(chunk);
      if (up) lines.splice(lines.length - Number(up[1]));
      else {
        const parts = (current + chunk).split('\n');
        current = parts.pop()!;
        lines.push(...parts);
      }
    }
    return current ? [...lines, current] : lines;
  };
  return { stream, text: () => chunks.join(''), screen };
}

const clock = () => {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('choiceTargets', () => {
  it('finds every Choice state and its branches, inside Parallel branches too', () => {
    const targets = choiceTargets(DEFINITION);
    expect([...targets.keys()]).toEqual(['TrainingDone', 'ChallengerTransformDone', 'HasChampion']);
    expect([...targets.get('TrainingDone')!]).toEqual(['Batch', 'TrainingFailed', 'WaitForTraining']);
    expect(choiceTargets(undefined).size).toBe(0);
  });
});

describe('StepLog', () => {
  it('prints a Choice as a question with the branch it took, and a poll with its named statuses', () => {
    const log = new StepLog();
    log.follow(DEFINITION);
    const history = [entered('Task', 'Train'), exited('Task', 'Train'), ...trainingLoop('InProgress', 'Training', 1, ['Wait', 'WaitForTraining'])];
    expect(log.take(history)).toEqual([
      'Train',
      'AwaitTraining: training job mlops-local-abalone-1-train, job status InProgress, secondary status Training (poll 1)',
      'TrainingDone? → WaitForTraining',
      'WaitForTraining',
    ]);
    history.push(exited('Wait', 'WaitForTraining'), ...trainingLoop('Completed', 'Completed', 2, ['Task', 'Batch']));
    expect(log.take(history)).toEqual([
      'AwaitTraining: training job mlops-local-abalone-1-train, job status Completed, secondary status Completed (poll 2)',
      'TrainingDone? → Batch',
      'Batch',
    ]);
  });

  it('never prints a Choice before its branch is known, even while another branch of a Parallel moves', () => {
    const log = new StepLog();
    log.follow(DEFINITION);
    const history = [
      entered('Parallel', 'Transforms'),
      entered('Task', 'AwaitChallengerTransform'),
      exited('Task', 'AwaitChallengerTransform', transformPoll('InProgress', 1)),
      entered('Choice', 'ChallengerTransformDone'),
      exited('Choice', 'ChallengerTransformDone'),
      entered('Choice', 'HasChampion'),
      exited('Choice', 'HasChampion'),
      entered('Pass', 'NoChampion'),
    ];
    const lines = log.take(history);
    expect(lines).toEqual(['Transforms', 'AwaitChallengerTransform: transform job mlops-local-abalone-1-batch, job status InProgress (poll 1)', 'HasChampion? → NoChampion', 'NoChampion']);
    expect(lines.some((l) => l.startsWith('ChallengerTransformDone'))).toBe(false);
    expect(log.current).toBe('NoChampion');
    history.push(entered('Wait', 'WaitForChallengerTransform'));
    expect(log.take(history)).toEqual(['ChallengerTransformDone? → WaitForChallengerTransform', 'WaitForChallengerTransform']);
  });

  it('without the definition, takes the next state entered as the branch; at the end, says what never finished', () => {
    const log = new StepLog();
    const history = [entered('Choice', 'Outcome'), exited('Choice', 'Outcome'), entered('Succeed', 'Deployed')];
    expect(log.take(history)).toEqual(['Outcome? → Deployed', 'Deployed']);
    history.push(entered('Task', 'AwaitTraining'));
    expect(log.take(history)).toEqual([]);
    expect(log.flush()).toEqual(['AwaitTraining']);
    expect(log.flush()).toEqual([]);
  });
});

describe('outside a terminal', () => {
  it('prints each step of the start as it begins, with its time when it ends', () => {
    const { stream, text } = fakeStream(false);
    const time = clock();
    const view = createProgressView(stream, false, time.now);
    const end = view.step('reading serverless.yml');
    expect(text()).toBe('reading serverless.yml...');
    time.advance(3_400);
    end();
    const end2 = view.step('starting S3');
    view.message('a line in between');
    time.advance(700);
    end2();
    expect(text()).toBe('reading serverless.yml... 3.4s\nstarting S3...\na line in between\nstarting S3: 0.7s\n');
  });

  it('does not print TransformDone while the job is still InProgress', () => {
    const { stream, text } = fakeStream(false);
    const view = createProgressView(stream);
    view.follow(DEFINITION);
    const history = [entered('Task', 'AwaitChallengerTransform'), exited('Task', 'AwaitChallengerTransform', transformPoll('InProgress', 1)), entered('Choice', 'ChallengerTransformDone')];
    view.update(new ExecutionTracker(), 1_000, 'RUNNING', history);
    expect(text()).not.toMatch(/\] ChallengerTransformDone\n/);
    expect(text()).toContain('job status InProgress (poll 1)');
    history.push(exited('Choice', 'ChallengerTransformDone'), entered('Wait', 'WaitForChallengerTransform'));
    view.update(new ExecutionTracker(), 1_100, 'RUNNING', history);
    expect(text()).toContain('] ChallengerTransformDone? → WaitForChallengerTransform\n');
  });

  it('prints an "interrupted" line naming the state the run was in', () => {
    const { stream, text } = fakeStream(false);
    const view = createProgressView(stream);
    view.update(new ExecutionTracker(), 12_300, 'RUNNING', [entered('Task', 'Train'), exited('Task', 'Train'), entered('Wait', 'WaitForTraining')]);
    view.interrupted('SIGINT');
    expect(text().trimEnd().split('\n').at(-1)).toBe('interrupted (SIGINT) in state WaitForTraining, 12.3s into the run: closing the offline stack; the run is abandoned with it (exit 130)');
  });

  it('says which step of the start Ctrl-C interrupted', () => {
    const { stream, text } = fakeStream(false);
    const time = clock();
    const view = createProgressView(stream, false, time.now);
    const end = view.step('starting S3');
    time.advance(2_000);
    view.interrupted('SIGTERM');
    end();
    expect(text()).toBe('starting S3...\ninterrupted (SIGTERM) while starting S3 (2.0s): closing the offline stack; the run is abandoned with it (exit 143)\n');
  });
});

describe('on a terminal', () => {
  it('keeps the state history on screen when the run ends, with the jobs’ statuses named', () => {
    const { stream, screen } = fakeStream(true);
    const view = createProgressView(stream);
    view.follow(DEFINITION);
    const tracker = new ExecutionTracker();
    const history = [entered('Task', 'Train'), exited('Task', 'Train'), ...trainingLoop('InProgress', 'Training', 1, ['Wait', 'WaitForTraining'])];
    tracker.update(history);
    view.update(tracker, 1_000, 'RUNNING', history);
    expect(screen().at(-2)).toBe('  execution  RUNNING   1.0s   state WaitForTraining');
    expect(screen().at(-1)).toBe('  training   mlops-local-abalone-1-train   job status InProgress, secondary status Training   (poll 1)');
    history.push(exited('Wait', 'WaitForTraining'), ...trainingLoop('Completed', 'Completed', 2, ['Task', 'Batch']), exited('Task', 'Batch'), entered('Succeed', 'Deployed'));
    tracker.update(history);
    view.update(tracker, 2_000, 'SUCCEEDED', history);
    view.done();
    expect(screen()).toEqual([
      '[   1.0s] Train',
      '[   1.0s] AwaitTraining: training job mlops-local-abalone-1-train, job status InProgress, secondary status Training (poll 1)',
      '[   1.0s] TrainingDone? → WaitForTraining',
      '[   1.0s] WaitForTraining',
      '[   2.0s] AwaitTraining: training job mlops-local-abalone-1-train, job status Completed, secondary status Completed (poll 2)',
      '[   2.0s] TrainingDone? → Batch',
      '[   2.0s] Batch',
      '[   2.0s] Deployed',
      '  execution  SUCCEEDED   2.0s   state Deployed',
      '  training   mlops-local-abalone-1-train   job status Completed, secondary status Completed   (poll 2)',
    ]);
  });

  it('shows a running step with its time moving, then leaves a line with the time it took', () => {
    jest.useFakeTimers();
    try {
      const { stream, screen } = fakeStream(true);
      const time = clock();
      const view = createProgressView(stream, false, time.now);
      view.message('uploaded');
      const end = view.step('starting S3');
      expect(screen()).toEqual(['uploaded', 'starting S3... 0.0s']);
      time.advance(1_500);
      jest.advanceTimersByTime(300);
      expect(screen()).toEqual(['uploaded', 'starting S3... 1.5s']);
      end();
      expect(screen()).toEqual(['uploaded', 'starting S3: 1.5s']);
      view.interrupted('SIGINT');
      expect(screen().at(-1)).toBe('interrupted (SIGINT) before the run started: closing the offline stack; the run is abandoned with it (exit 130)');
    } finally {
      jest.useRealTimers();
    }
  });
});
