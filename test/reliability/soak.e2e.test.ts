/**
 * Soak: 20 pipeline runs (plus two unusable uploads) of one family through one offline stack,
 * CONCURRENTLY: the uploads go in 4 at a time (a new one as soon as one of the 4 ends), while 20% of
 * the SageMaker API calls and 20% of the functions' S3 requests fail transiently. Then the
 * invariants, checked through the Step Functions, SageMaker and S3 APIs: every run reached its
 * expected terminal state, no SageMaker resource or execution exists twice, nothing is left running
 * or updating that should not be, and every upload produced exactly one run or a recorded rejection.
 *
 * The runs race for the family's one endpoint on purpose: deploys of one endpoint take turns
 * (statemachines/deploy.asl.yml), and each either deploys its version or is superseded by a newer
 * approved one; both are successful deploy executions, and the run record (runs/<runId>/run.json)
 * says which. Whatever order the rollouts finish in, the family's newest approved version is the one
 * left live. The local SageMaker's own S3 transfers are not faulted (see s3-faults.ts).
 */
import { deployOutputOf, RunRecordSchema, type PipelineState, type RunRecord } from '@mlops/common';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import type { S3FaultStats } from '@mlops/local-stack';
import { observationRecorder } from './support/recorder';
import { abaloneSlice, awaitFinish, awaitStart, deployExecutionsOf, heldOutFeatures, LENIENT_GATE, pathOf, upload, waitFor, type Finished, type Upload } from './support/pipeline';

const { record } = observationRecorder('soak', 'Soak: concurrent runs of one family under transient faults');
const RUNS = 20;
/** Uploads in flight at once. */
const CONCURRENCY = 4;
const FAULT_RATE = 0.2;
/** Uploads (by position) that are unusable on purpose: their target column does not exist. */
const UNUSABLE = new Set([6, 15]);
/**
 * A run that ends FAILED is still in its expected terminal state when a transient fault outlasted
 * every retry (the SDK's five attempts, then the state machine's Retry): the error is then the
 * transient error's name. Anything else (another error, RUNNING, TIMED_OUT) is not expected.
 */
const RETRIES_EXHAUSTED = new Set(['SageMakerTransientError', 'S3TransientError', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'ThrottlingException', 'InternalFailure']);
/** Every SageMaker operation the pipeline calls. */
const PIPELINE_OPERATIONS = [
  'CreateTrainingJob',
  'DescribeTrainingJob',
  'StopTrainingJob',
  'CreateModel',
  'DescribeModel',
  'CreateTransformJob',
  'DescribeTransformJob',
  'StopTransformJob',
  'CreateEndpointConfig',
  'DescribeEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
  'DescribeEndpoint',
];

let stack: LocalStack;

beforeAll(async () => {
  // With `s3Faults` the functions reach S3 through the fault proxy; the rate is set once the soak starts.
  stack = await startLocalStack({ waitScale: 0.01, s3Faults: { rate: 0 } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function listAll<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    all.push(...result.items);
    token = result.next;
  } while (token);
  return all;
}

const trainingJobs = (sm: SageMakerClient, filter: { StatusEquals?: 'InProgress' | 'Stopping' } = {}) =>
  listAll(async (NextToken) => {
    const r = await sm.send(new ListTrainingJobsCommand({ MaxResults: 100, NextToken, ...filter }));
    return { items: (r.TrainingJobSummaries ?? []).map((j) => j.TrainingJobName!), next: r.NextToken };
  });
const transformJobs = (sm: SageMakerClient, filter: { StatusEquals?: 'InProgress' | 'Stopping' } = {}) =>
  listAll(async (NextToken) => {
    const r = await sm.send(new ListTransformJobsCommand({ MaxResults: 100, NextToken, ...filter }));
    return { items: (r.TransformJobSummaries ?? []).map((j) => j.TransformJobName!), next: r.NextToken };
  });
const models = (sm: SageMakerClient) =>
  listAll(async (NextToken) => {
    const r = await sm.send(new ListModelsCommand({ MaxResults: 100, NextToken }));
    return { items: (r.Models ?? []).map((m) => m.ModelName!), next: r.NextToken };
  });

/** Names per run id: how many resources of a kind each run has. */
function perRun(names: string[], runIds: string[], exact = false): Map<string, number> {
  return new Map(runIds.map((id) => [id, names.filter((n) => (exact ? n.endsWith(`-${id}`) : n.includes(`-${id}`))).length]));
}

/** Injected S3 faults on the functions' requests. */
const s3Injected = (s: S3FaultStats) => s.injected.functions.SlowDown + s.injected.functions.InternalError;

/** How a run's deploy execution ended: its version went live, or a newer approved one did instead. */
function deployOutcome(state: PipelineState): 'deployed' | 'superseded' | undefined {
  if (state.deployment?.Status !== 'SUCCEEDED') return undefined;
  const output = state.deployment.Output as { deploy?: { action?: string }; endpointPoll?: { state?: string } } | undefined;
  return output?.deploy?.action === 'superseded' || output?.endpointPoll?.state === 'Superseded' ? 'superseded' : 'deployed';
}

describe('soak', () => {
  const runs: Finished[] = [];
  const rejected: { upload: Upload; reason: string }[] = [];
  let seconds = 0;
  let faults = { sageMaker: 0, s3: 0, s3Requests: 0 };

  it(`${RUNS} pipeline runs of one family, ${CONCURRENCY} at a time, under a ${FAULT_RATE * 100}% transient fault rate on SageMaker and S3 calls`, async () => {
    const smBefore = stack.sageMaker.faults.stats();
    const s3Before = stack.s3Faults!.stats();
    // SageMaker: 10% ThrottlingException, 5% InternalFailure (500), 5% ServiceUnavailable (503). The
    // emulator draws them one after the other, so the later rates are conditional.
    const throttle = 0.1;
    const error = 0.05 / (1 - throttle);
    const unavailable = 0.05 / ((1 - throttle) * (1 - error));
    stack.sageMaker.faults.set({ seed: 2026, api: Object.fromEntries(PIPELINE_OPERATIONS.map((op) => [op, { throttleRate: throttle, errorRate: error, unavailableRate: unavailable }])) });
    // S3: 20% of the functions' requests answer 503 SlowDown or 500 InternalError.
    stack.s3Faults!.set({ rate: FAULT_RATE, seed: 2027 });
    const started = Date.now();
    let next = 0;
    // Each worker uploads the next dataset as soon as its previous run ended: CONCURRENCY runs overlap at all times.
    const worker = async () => {
      for (let i = next++; i < RUNS + UNUSABLE.size; i = next++) {
        const metadata = UNUSABLE.has(i) ? { ...LENIENT_GATE, 'mlops-target': 'no_such_column' } : LENIENT_GATE;
        const up = await upload(stack, `soak-${String(i).padStart(2, '0')}.csv`, abaloneSlice(i * 190), metadata);
        const outcome = await awaitStart(stack, up, 60_000);
        if (outcome === 'started') runs.push(await awaitFinish(stack, up, 240_000));
        else rejected.push({ upload: up, reason: outcome.rejected });
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      seconds = (Date.now() - started) / 1000;
      stack.sageMaker.faults.clear();
      stack.s3Faults!.clear();
      await stack.settled();
    }
    const smAfter = stack.sageMaker.faults.stats();
    const s3After = stack.s3Faults!.stats();
    faults = {
      sageMaker: smAfter.total - smBefore.total,
      s3: s3Injected(s3After) - s3Injected(s3Before),
      s3Requests: s3After.requests.functions - s3Before.requests.functions,
    };
    const statuses = runs.map((r) => r.snapshot.status);
    const durations = runs.map((r) => r.snapshot.stopDate!.getTime() - r.snapshot.startDate.getTime()).sort((a, b) => a - b);
    const stateRetries = runs.flatMap((r) => [r.snapshot, ...deployExecutionsOf(stack, r).map((d) => d.snapshot)]).flatMap((s) => s.retries).length;
    // Runs in flight at once: the most executions whose [start, stop] overlap.
    const edges = runs.flatMap((r) => [[r.snapshot.startDate.getTime(), 1], [r.snapshot.stopDate!.getTime(), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let maxInFlight = 0;
    for (const [, d] of edges) maxInFlight = Math.max(maxInFlight, (inFlight += d));
    record({
      scenario: `soak: ${RUNS} runs of one family, ${CONCURRENCY} at a time (+${UNUSABLE.size} unusable uploads), ${FAULT_RATE * 100}% transient faults on SageMaker API calls and on the functions' S3 requests`,
      expected: 'every run reaches its expected terminal state, in a few minutes',
      observed:
        `${runs.length} runs in ${seconds.toFixed(1)} s, up to ${maxInFlight} at once (execution p50 ${(durations[Math.floor(durations.length / 2)]! / 1000).toFixed(1)} s, max ${(durations.at(-1)! / 1000).toFixed(1)} s): ` +
        `${statuses.filter((s) => s === 'SUCCEEDED').length} SUCCEEDED, ${statuses.filter((s) => s !== 'SUCCEEDED').length} other; ` +
        `${faults.sageMaker} SageMaker API faults and ${faults.s3} S3 faults (of ${faults.s3Requests} S3 requests) injected; ${stateRetries} reached the state machine's Retry; ` +
        `${rejected.length} uploads rejected${rejected.length ? ` (${[...new Set(rejected.map((r) => r.reason))].join('; ')})` : ''}`,
      counts: { faultsInjected: faults.sageMaker + faults.s3, runs: runs.length, rejections: rejected.length },
    });
    expect(runs.length + rejected.length).toBe(RUNS + UNUSABLE.size);
    expect(rejected.map((r) => `${r.upload.key}: ${r.reason}`)).toEqual([...UNUSABLE].map((i) => expect.stringMatching(`^incoming/abalone/soak-${String(i).padStart(2, '0')}\\.csv: .*no_such_column`)));
    expect(faults.sageMaker).toBeGreaterThan(0);
    expect(faults.s3).toBeGreaterThan(0);
    // Concurrent, not one at a time (an upload's ingest leaves a moment between two runs of one worker).
    expect(maxInFlight).toBeGreaterThanOrEqual(CONCURRENCY - 1);
    expect(seconds).toBeLessThan(240);
  }, 300_000);

  it('every run reached its expected terminal state (SUCCEEDED, or FAILED only because a transient fault outlasted every retry)', () => {
    if (runs.length === 0) throw new Error('the soak did not run');
    const unexpected = runs
      .filter((r) => !(r.snapshot.status === 'SUCCEEDED' || (r.snapshot.status === 'FAILED' && RETRIES_EXHAUSTED.has(r.snapshot.error ?? ''))))
      .map((r) => `${r.upload.key}: ${r.snapshot.status} ${r.snapshot.error ?? ''} ${r.snapshot.cause ?? ''} (${pathOf(r.history).join(' → ')})`);
    const succeeded = runs.filter((r) => r.snapshot.status === 'SUCCEEDED').length;
    // Where each failed run (and its deploy, if it reached one) ended, so a failure can be told from a bug.
    const failed = runs
      .filter((r) => r.snapshot.status !== 'SUCCEEDED')
      .map((r) => {
        const deploy = deployExecutionsOf(stack, r)[0];
        const where = (x: { snapshot: { error?: string; cause?: string; retries: unknown[] }; history: Parameters<typeof pathOf>[0] }) => {
          const last = pathOf(x.history).at(-1) ?? '?';
          const cause = (x.snapshot.cause ?? '').replace(/,"trace":.*$/s, '}');
          return `${x.snapshot.error ?? ''} (${cause}) at ${last}, after ${x.snapshot.retries.length} state retries`;
        };
        return `${r.upload.key} (v${r.state.registration?.version ?? '-'}): ${where(r)}${deploy ? `; its deploy ${deploy.snapshot.status} ${where(deploy)}` : ''}`;
      });
    record({
      scenario: 'soak: terminal states',
      expected: 'every run SUCCEEDED, or FAILED with a transient error that outlasted every retry; never RUNNING',
      observed: `${succeeded}/${runs.length} SUCCEEDED; ${runs.length - succeeded - unexpected.length} FAILED after exhausting retries${failed.length ? ` (${failed.join('; ')})` : ''}; ${unexpected.length} unexpected${unexpected.length ? `: ${unexpected.join('; ')}` : ''}`,
    });
    expect(unexpected).toEqual([]);
    // "Nearly all": the retries are sized so that 20% faults practically never get through.
    expect(succeeded).toBeGreaterThanOrEqual(RUNS - 1);
  });

  it('every deploy deployed its version or was superseded by a newer one, and the run record says which', async () => {
    if (runs.length === 0) throw new Error('the soak did not run');
    const records = new Map<string, RunRecord | undefined>();
    for (const r of runs) {
      const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `runs/${r.upload.runId}/run.json` })).catch(() => undefined);
      records.set(r.upload.runId, object ? RunRecordSchema.parse(JSON.parse(await object.Body!.transformToString())) : undefined);
    }
    const wrong: string[] = [];
    const tally = { deployed: 0, superseded: 0, unrecorded: 0 };
    for (const r of runs.filter((run) => run.snapshot.status === 'SUCCEEDED')) {
      const id = r.upload.runId;
      const children = deployExecutionsOf(stack, r);
      const outcome = deployOutcome(r.state);
      const runRecord = records.get(id);
      if (outcome) tally[outcome]++;
      if (children.length !== 1 || children[0]!.snapshot.status !== 'SUCCEEDED') wrong.push(`${id}: deploy executions ${children.map((c) => c.snapshot.status).join(', ') || 'none'}`);
      if (!outcome) wrong.push(`${id}: the pipeline's Deploy ended ${r.state.deployment?.Status}`);
      if (!runRecord) {
        // Only a record write whose transient faults outlasted every retry may be missing (the run's outcome stands).
        const recordError = (r.state as { recordError?: { Error?: string } }).recordError?.Error ?? '';
        if (RETRIES_EXHAUSTED.has(recordError)) tally.unrecorded++;
        else wrong.push(`${id}: no run record (${recordError || 'no record error'})`);
      } else if (runRecord.outcome !== outcome || runRecord.status !== 'SUCCEEDED') {
        wrong.push(`${id}: run record ${runRecord.status}/${runRecord.outcome}, deploy ${outcome}`);
      }
    }
    record({
      scenario: 'soak: concurrent deploys of one endpoint',
      expected: 'each deploy execution SUCCEEDED, deploying its version or superseded by a newer approved one; the run record (runs/<runId>/run.json) says which',
      observed: `${tally.deployed} deployed, ${tally.superseded} superseded, ${tally.unrecorded} records not written after exhausting retries; ${wrong.length} wrong${wrong.length ? `: ${wrong.join('; ')}` : ''}`,
    });
    expect(wrong).toEqual([]);
    expect(tally.deployed).toBeGreaterThan(0);
  });

  it('every upload produced exactly one execution or a recorded rejection', async () => {
    if (runs.length === 0) throw new Error('the soak did not run');
    const executions = await listAll<ExecutionListItem>(async (nextToken) => {
      const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachine.arn, maxResults: 100, nextToken }));
      return { items: page.executions ?? [], next: page.nextToken };
    });
    const names = executions.map((e) => e.name!);
    const recorded = await Promise.all(
      rejected.map(async ({ upload: up }) => {
        const head = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: `runs/rejected/${up.runId}.json` })).catch(() => undefined);
        return head !== undefined;
      }),
    );
    const deploys = await listAll<ExecutionListItem>(async (nextToken) => {
      const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachines.deploy!.arn, maxResults: 100, nextToken }));
      return { items: page.executions ?? [], next: page.nextToken };
    });
    const running = [...executions, ...deploys].filter((e) => e.status === 'RUNNING').length;
    // One deploy execution per registered version (named <runId>-v<version> by the pipeline).
    const registered = runs.filter((r) => r.state.registration).map((r) => `${r.upload.runId}-v${r.state.registration!.version}`);
    const deployNames = deploys.map((e) => e.name!);
    record({
      scenario: 'soak: one run per upload',
      expected: 'every uploaded dataset either produced exactly one run or a recorded rejection',
      observed: `${RUNS + UNUSABLE.size} uploads → ${executions.length} executions (${new Set(names).size} distinct names) + ${rejected.length} rejections, ${recorded.filter(Boolean).length} recorded under runs/rejected/; ${deploys.length} deploy executions for ${registered.length} registered versions; ${running} RUNNING`,
      // Executions beyond one per upload, or one per registered version; runs and rejections are counted by the soak's first row.
      counts: { duplicates: names.length - new Set(names).size + Math.max(0, executions.length - runs.length) + Math.max(0, deploys.length - registered.length) },
    });
    expect(names.sort()).toEqual(runs.map((r) => r.upload.executionName).sort());
    expect(deployNames.sort()).toEqual(registered.sort());
    expect(running).toBe(0);
    expect(rejected.map((r) => r.upload.key)).toEqual([...UNUSABLE].map((i) => `incoming/abalone/soak-${String(i).padStart(2, '0')}.csv`));
    for (const r of rejected) expect(r.reason).toContain('no_such_column');
    expect(recorded).toEqual(rejected.map(() => true));
  });

  it('no SageMaker resource exists twice', async () => {
    if (runs.length === 0) throw new Error('the soak did not run');
    const ids = runs.map((r) => r.upload.runId);
    // The emulator has no ListEndpointConfigs; its state snapshot lists them.
    const configNames = stack.sageMaker.state.snapshot().endpointConfigs.map((c) => c.name);
    // Jobs and the challenger's model are named after the run; a version's model and config after the version.
    const versions = runs.flatMap((r) => (r.state.registration ? [`${r.state.family}-v${r.state.registration.version}`] : []));
    const modelNames = await models(stack.clients.sageMaker);
    const counts = {
      training: perRun(await trainingJobs(stack.clients.sageMaker), ids),
      models: perRun(modelNames, ids),
      transform: perRun(await transformJobs(stack.clients.sageMaker), ids),
      versionModels: perRun(modelNames, versions, true),
      configs: perRun(configNames, versions, true),
    };
    const reached = (r: Finished, state: string) => pathOf(r.history).includes(state);
    const wrong: string[] = [];
    let duplicates = 0;
    for (const r of runs) {
      const id = r.upload.runId;
      const transformed = reached(r, 'AwaitChallengerTransform');
      // The challenger's model (the run's versions' models are named after the version), and its transform plus the champion's.
      // A deployed version has its model and endpoint config; a superseded one at most one each
      // (none when it was superseded before its first turn, one when it had waited a turn or rolled out).
      const deployed = deployOutcome(r.state) === 'deployed' ? 1 : undefined;
      const want = { training: 1, models: transformed ? 1 : undefined, transform: transformed ? (r.state.batch?.champion ? 2 : 1) : undefined, versionModels: deployed, configs: deployed };
      for (const kind of Object.keys(want) as (keyof typeof want)[]) {
        const key = kind === 'configs' || kind === 'versionModels' ? `${r.state.family}-v${r.state.registration?.version}` : id;
        const n = counts[kind].get(key) ?? 0;
        if (want[kind] !== undefined ? n !== want[kind] : n > 1) wrong.push(`${id}: ${n} ${kind}`);
        // Beyond what the run should have (the champion's transform is the run's second one).
        duplicates += Math.max(0, n - (want[kind] ?? 1));
      }
    }
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    record({
      scenario: 'soak: duplicates',
      expected: 'zero duplicate SageMaker resources',
      observed: `${runs.length} runs → ${total(counts.training)} training jobs, ${total(counts.models)} challenger models, ${total(counts.transform)} transform jobs, ${total(counts.versionModels)} version models and ${total(counts.configs)} endpoint configs for ${versions.length} versions (List* APIs); ${duplicates} duplicates${wrong.length ? `; ${wrong.join(', ')}` : ''}`,
      counts: { duplicates },
    });
    expect(configNames.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    expect(duplicates).toBe(0);
  });

  it('nothing is left running that should not be', async () => {
    if (runs.length === 0) throw new Error('the soak did not run');
    const sm = stack.clients.sageMaker;
    const [trainingRunning, trainingStopping, transformRunning, transformStopping, endpoints] = await Promise.all([
      trainingJobs(sm, { StatusEquals: 'InProgress' }),
      trainingJobs(sm, { StatusEquals: 'Stopping' }),
      transformJobs(sm, { StatusEquals: 'InProgress' }),
      transformJobs(sm, { StatusEquals: 'Stopping' }),
      sm.send(new ListEndpointsCommand({ MaxResults: 100 })),
    ]);
    // The family's newest approved version (every version registers as Approved on the local stage) is
    // the live one, unless its own deploy failed (a transient fault outlasted every retry, which the
    // run reports): then the versions between yielded to it for nothing, and the newest version that
    // deployed is still live. Either way: the newest of those that deployed.
    const newestOf = (candidates: Finished[]) =>
      candidates.reduce<Finished | undefined>((a, r) => (!a || r.state.registration!.version > a.state.registration!.version ? r : a), undefined)!;
    const newestApproved = newestOf(runs.filter((r) => r.state.registration?.approvalStatus === 'Approved'));
    const newest = deployOutcome(newestApproved.state) !== undefined ? newestApproved : newestOf(runs.filter((r) => deployOutcome(r.state) === 'deployed'));
    const newestConfig = `mlops-local-abalone-v${newest.state.registration!.version}`;
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-abalone' }));
    // One serving process (the endpoint's one instance); training and transform processes are gone.
    const processes = await waitFor('the processes to settle', () => {
      const live = stack.sageMaker.state.processes();
      return live.length === 1 ? live : undefined;
    }, 15_000).catch(() => stack.sageMaker.state.processes());
    const prediction = await stack.clients.runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'mlops-local-abalone', ContentType: 'text/csv', Body: Buffer.from(await heldOutFeatures(stack, newest.state)) }),
    );
    const leaks = trainingRunning.length + trainingStopping.length + transformRunning.length + transformStopping.length + (endpoints.Endpoints ?? []).length - 1 + processes.length - 1;
    record({
      scenario: 'soak: leaks',
      expected: 'zero jobs or endpoints left running or updating that should not be; the endpoint serves the family\'s newest approved version (or, when that version\'s deploy failed, the newest that deployed)',
      observed:
        `${trainingRunning.length + trainingStopping.length} training and ${transformRunning.length + transformStopping.length} transform jobs running; ` +
        `${(endpoints.Endpoints ?? []).length} endpoint (${endpoint.EndpointStatus} on ${endpoint.EndpointConfigName}, the ${newest === newestApproved ? 'newest approved' : `newest deployed (v${newestApproved.state.registration!.version}'s deploy failed)`} version's config ${newestConfig}: ${endpoint.EndpointConfigName === newestConfig}; pending rollout: ${endpoint.PendingDeploymentSummary?.EndpointConfigName ?? 'none'}), ` +
        `${processes.length} live process (${processes.map((p) => p.kind).join(', ')}); the endpoint answers ${new TextDecoder().decode(prediction.Body).trim()}`,
      counts: { leaks },
    });
    expect([trainingRunning, trainingStopping, transformRunning, transformStopping]).toEqual([[], [], [], []]);
    expect((endpoints.Endpoints ?? []).map((e) => [e.EndpointName, e.EndpointStatus])).toEqual([['mlops-local-abalone', 'InService']]);
    expect(endpoint.EndpointConfigName).toBe(newestConfig);
    expect(endpoint.PendingDeploymentSummary).toBeUndefined();
    // The newest version's own deploy is the one that put it live.
    expect(deployOutcome(newest.state)).toBe('deployed');
    expect(deployOutputOf(newest.state)?.endpointConfigName).toBe(newestConfig);
    expect(processes.map((p) => p.kind)).toEqual(['endpoint']);
    expect(Number(new TextDecoder().decode(prediction.Body))).toBeGreaterThan(0);
  });
});
