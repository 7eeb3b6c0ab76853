/**
 * Renders docs/PERFORMANCE.md from bench/results/<section>.json. Every figure in the document comes
 * from those files; the prose around them says how they were obtained and what they mean, and each
 * target is marked met or not from the figures themselves.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColdStartResult } from './coldstart/bench';
import { INIT_TARGET_MS, SIZE_TARGET_BYTES } from './coldstart/bench';
import type { E2eResult } from './e2e/bench';
import { E2E_TARGET_MS, OVERHEAD_TARGET_MS } from './e2e/bench';
import type { EvalBenchResult } from './eval/bench';
import type { IngestBenchResult } from './ingest/bench';
import type { Machine } from './lib/machine';
import { RESULTS, ROOT } from './lib/paths';
import { median } from './lib/stats';
import type { PollBenchResult, Row } from './poll/bench';
import { INSTANCE_COUNTS, LAMBDA_INGEST_MEMORY_MB, LAMBDA_MAX_MEMORY_MB, LAMBDA_MB_PER_VCPU, LAMBDA_TIMEOUT_S, PROCESSING_MAX_INSTANCES, SIZES_GIB } from './scale/aws';
import type { ScaleBenchResult } from './scale/bench';
import { API_BUDGET_TPS, DURATIONS, HISTORY_LIMIT, PIPELINES } from './poll/bench';
import type { XGBoostBenchResult } from './xgboost/bench';

interface Stored<T> {
  section: string;
  quick: boolean;
  options: Record<string, unknown>;
  machine: Machine & { loadAverageAfter?: number[] };
  result: T;
}

function load<T>(section: string): Stored<T> | undefined {
  const file = join(RESULTS, `${section}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored<T>) : undefined;
}

// Formatting.
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1) => n.toFixed(digits);
const kb = (bytes: number) => `${int(bytes / 1024)} KB`;
const usd = (n: number) => `$${n < 0.01 ? n.toFixed(5) : n.toFixed(4)}`;
const sec = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const duration = (s: number) => (s < 3600 ? `${s / 60} min` : `${s / 3600} h`);
const seconds = (s: number) => (s >= 100 ? `${int(s)} s` : `${fixed(s, 1)} s`);
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map((h) => (/^[A-Za-z(]/.test(h) && !/[0-9]/.test(h.slice(0, 1)) ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const rightTable = (head: string[], rows: (string | number)[][], leftColumns = 1) =>
  [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < leftColumns ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function provenance(stored: Stored<unknown>): string {
  const m = stored.machine;
  const load = m.loadAverageAfter ? `${m.loadAverage.join(' / ')} at the start, ${m.loadAverageAfter.join(' / ')} at the end` : m.loadAverage.join(' / ');
  return `*Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC with \`${m.command}\`${stored.quick ? ' (quick mode: not for the record)' : ''} on ${m.cores} × ${m.cpu}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}${m.commit ? `, commit ${m.commit}` : ''}; load average (1/5/15 min) ${load}. Raw figures: \`bench/results/${stored.section}.json\`.*`;
}

interface Target {
  area: string;
  target: string;
  result: string;
  ok: boolean | undefined;
}

function pollSection(stored: Stored<PollBenchResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 1. Poll policy\n\nNo results yet: `pnpm bench -- --only poll`.\n';
  const r = stored.result;
  const a = r.assumptions;
  const row = (kind: string, d: number, policy: string) => r.rows.find((x) => x.kind === kind && x.duration === d && x.policy === policy)!;
  const ratio = (kind: string, d: number) => row(kind, d, 'fixed60').transitions / row(kind, d, 'policy').transitions;
  const label: Record<string, string> = { policy: '**policy**', fixed60: 'fixed 60 s', waiter: 'SDK waiter' };
  const kindTable = (kind: string, waiter: number) =>
    rightTable(
      ['duration', 'polling', 'polls (= Lambda invocations)', 'state transitions', 'history events', 'cost (SFN + Lambda)', 'worst latency', 'mean latency', 'worst latency / elapsed', 'transitions vs fixed 60 s'],
      r.rows
        .filter((x) => x.kind === kind)
        .map((x: Row) => [
          duration(x.duration),
          x.policy === 'waiter' ? `SDK waiter (${waiter} s)` : label[x.policy]!,
          int(x.polls) + (x.overBudget ? ' ⚠' : ''),
          int(x.transitions),
          int(x.events),
          usd(x.costUsd),
          seconds(x.worstLatency),
          seconds(x.meanLatency),
          `${fixed(x.worstLatencyPct)} %`,
          x.policy === 'fixed60' ? '1×' : `${fixed(row(kind, x.duration, 'fixed60').transitions / x.transitions, 2)}×`,
        ]),
      2,
    );

  const longRatios = [3600, 21_600, 86_400].map((d) => ({ d, ratio: Math.min(...['training', 'transform', 'endpoint'].map((k) => ratio(k, d))) }));
  const inv = r.invariant;
  const worstPct = Math.max(...Object.values(inv).map((i) => i.worstPct));
  const worstSeconds = Math.max(...Object.values(inv).map((i) => i.worstSeconds));
  const longest = r.history[0]!;
  const policyRate = r.apiRate.filter((x) => x.policy === 'policy');
  const peakSustained = Math.max(...policyRate.map((x) => x.peak60sPerSecond));

  targets.push(
    {
      area: 'Poll policy',
      target: '≥ 4× fewer state transitions than a fixed 60 s loop, jobs of 1 h and longer',
      result: longRatios.map(({ d, ratio }) => `${duration(d)}: ${fixed(ratio, 2)}×`).join(', '),
      ok: longRatios.every((x) => x.ratio >= 4),
    },
    {
      area: 'Poll policy',
      target: 'detection latency ≤ 10 % of elapsed time and ≤ 5 min',
      result: `worst ${fixed(worstPct, 2)} % and ${int(worstSeconds)} s over every finish time from ${inv.training.from} s to 24 h (≤ ${stored.result.assumptions.earliestFinishSeconds} s: within one floor, see below)`,
      ok: worstPct <= 10 && worstSeconds <= 300,
    },
    {
      area: 'Poll policy',
      target: `history events of the longest allowed execution < 25 % of ${int(HISTORY_LIMIT)}`,
      result: `${int(longest.events)} events (${fixed(longest.pctOfLimit)} %)`,
      ok: longest.pctOfLimit < 25,
    },
    {
      area: 'Poll policy',
      target: `Describe* rate within SageMaker's limits with ${PIPELINES} pipelines at once`,
      result: `at most ${fixed(peakSustained, 1)} calls/s over any minute (assumed limit ${API_BUDGET_TPS.assumed}/s per operation)`,
      ok: peakSustained < API_BUDGET_TPS.assumed,
    },
  );

  const lb = r.lowerBound;
  const tradeoff = rightTable(
    ['latency promise (fraction of elapsed)', 'polls for 1 h', 'vs fixed 60 s, 1 h', '6 h', '24 h', 'worst latency / elapsed, 110 s to 24 h'],
    r.tradeoff.map((t) => [`${int(t.fraction * 100)} %${t.fraction === a.fraction ? ' (shipped)' : ''}`, t.polls1h, `${fixed(t.ratio1h, 2)}×`, `${fixed(t.ratio6h, 2)}×`, `${fixed(t.ratio24h, 2)}×`, `${fixed(t.worstPct, 2)} %`]),
  );
  const rate = rightTable(
    ['polling', 'starts', 'most calls in one second', 'most calls/s over a minute', 'mean calls/s'],
    r.apiRate.map((x) => [label[x.policy]!, x.start, x.peak1s, fixed(x.peak60sPerSecond, 2), fixed(x.meanPerSecond, 2)]),
    2,
  );

  return `## 1. Poll policy

${provenance(stored)}

### The policy

\`services/mlops_await/src/poll-policy.ts\`, per resource kind (training job, transform job, endpoint), from what SageMaker reports:

| elapsed time (since creation; for an endpoint since its last change) | wait before the next poll |
| --- | --- |
| before ${a.earliestFinishSeconds} s (nothing can have *succeeded* yet) | the kind's floor (training 30 s, transform 20 s, endpoint 30 s), shortened so that a poll lands on ${a.earliestFinishSeconds} s |
| from ${a.earliestFinishSeconds} s | min(${a.maxLatencySeconds} s, ⌊${a.fraction} × elapsed⌋) − ${a.pollOverheadSeconds} s |
| training \`SecondaryStatus\` Uploading/Stopping/…, or status Stopping | 10 s (the job ends within moments) |
| with a deadline (\`MaxRuntimeInSeconds\` + 600 s for training, the stage's deadline otherwise) | never past the deadline by more than a second |

Why this shape:

- **Latency.** A job that finishes just after a poll is seen at the next one, so the gap between two polls *is* the worst detection latency. Keeping every gap within 10 % of the elapsed time (and within 5 minutes) keeps the promise for every possible finish time; the ${a.pollOverheadSeconds} s subtracted is the poll's own time (Lambda plus three state transitions) between one Describe and the next.
- **Cost.** Every poll costs the same in this state machine (Task → Choice → Wait: 3 state transitions, 9 history events, 1 Lambda invocation), so the cheapest policy is the one with the *longest* gaps that keep the promise: each gap exactly 10 % of the elapsed time. Polls then grow geometrically apart (×1.1), the fewest any schedule can make: ⌈ln(T / ${a.earliestFinishSeconds} s) / ln 1.1⌉ polls until the 5-minute cap (reached at 50 min), then one per 5 minutes.
- **${a.earliestFinishSeconds} s.** No SageMaker training job, batch transform or endpoint creation/update completes in under two minutes: instances are provisioned and the container is pulled and started first. The 10 % promise starts there. Before it only failures can happen (capacity, image, role errors); they are caught within one floor, no slower than the SDK waiters, and the floor cadence keeps the offline stack (where jobs take a second) fast.
- **\`MaxRuntimeInSeconds\`** enters through the deadline: SageMaker stops the job there, and the poll right after the deadline sees it (or stops a job SageMaker failed to stop). **\`SecondaryStatus\`**: a training job in Uploading/Stopping is polled every 10 s.

The previous policy (wait = clamp(⌈0.1 × elapsed⌉, floor, 300 s), with the floors of 30/20/30 s at every elapsed time) made a few polls fewer but broke the 10 % promise for jobs shorter than 5 minutes (a 2-minute job could be seen 30 s late), and by a second or two at the 5-minute cap:

${r.previous ? rightTable(['training job', 'polls before', 'polls now', 'worst latency / elapsed before', 'now'], r.previous.map((p) => [duration(p.duration), p.polls, p.nowPolls, `${fixed(p.worstLatencyPct)} %`, `${fixed(p.nowWorstLatencyPct)} %`])) : ''}

### The 4× target and the 10 % promise exclude each other

Each poll costs the same 3 transitions whatever the policy, so "4× fewer transitions than a fixed 60 s loop at 1 h" means at most ${lb.pollsFor4xAt1h} polls in the hour (the fixed loop makes ${lb.fixedPollsAt1h}). Under the latency promise the fewest polls any schedule can make for a 1-hour job is ${lb.pollsAt1hAt10pct} (one at creation, one at ${a.earliestFinishSeconds} s, then gaps of exactly 10 %, then 5 minutes): **at best ${fixed(lb.fixedPollsAt1h / lb.pollsAt1hAt10pct, 2)}× at 1 h**; the shipped policy makes ${row('training', 3600, 'policy').polls} (${fixed(ratio('training', 3600), 2)}×), the few more being its floor polls before ${a.earliestFinishSeconds} s and the second it leaves each poll. ${lb.pollsFor4xAt1h} polls would need a latency promise of ${int(lb.minFractionFor4x * 100)} % of the elapsed time (with the 5-minute cap), or that no job could finish in its first ${int(lb.minEarliestFinishFor4x)} s (${fixed(lb.minEarliestFinishFor4x / 60, 0)} min). Neither is true or acceptable, so the shipped policy keeps the promise and reaches 4× only for long jobs: from ${Number.isFinite(lb.fourXFromSeconds) ? `${fixed(lb.fourXFromSeconds / 3600, 1)} h` : 'beyond 24 h'} on (the 5-minute cap against 60 s makes the limit 5×). The table at the end of this section shows the trade-off if the promise were relaxed.

### Results per kind and duration

Each row is one execution of the real state machine on the virtual clock (method below); the job finishes exactly at the duration. Latency figures are over every finish time within ±${int(a.band as number * 100)} % of the duration, second by second (where a single duration lands on the poll grid is luck). Cost: Step Functions Standard $${a.stepFunctionsUsdPer1000Transitions} per 1,000 state transitions; Lambda arm64 $${a.lambdaArmUsdPerGbSecond} per GB-second and $${a.lambdaUsdPerMillionRequests} per million requests, mlops_await at ${a.awaitMemoryMb} MB billed ${a.awaitBilledMs} ms per poll (us-east-1 list prices, as of ${stored.machine.date.slice(0, 10)}). Only the poll loop is counted (its Pass, Task, Choice and Wait states). ⚠: over the state machine's 400-poll budget, so that baseline would fail the execution (run with the budget lifted to compare).

**Training job** (waiter \`TrainingJobCompletedOrStopped\`: 120 s)

${kindTable('training', 120)}

**Batch transform job** (waiter \`TransformJobCompletedOrStopped\`: 60 s; the stages' deadline is 2 h, lifted here to compare)

${kindTable('transform', 60)}

**Endpoint** (waiter \`EndpointInService\`: 30 s; the stages' deadline is 1 h, lifted here to compare)

${kindTable('endpoint', 30)}

### The promise, checked everywhere

For every finish time from ${inv.training.from} s to 24 h, one second apart, the detection latency stays within 10 % of the elapsed time and within 5 minutes: worst ${fixed(inv.training.worstPct, 2)} % (training, at ${int(inv.training.worstPctAt)} s), ${fixed(inv.transform.worstPct, 2)} % (transform), ${fixed(inv.endpoint.worstPct, 2)} % (endpoint); at most ${int(worstSeconds)} s. \`test/perf/poll-policy.test.ts\` asserts this, the history budget and the 400-poll budget on the same simulator (no wall-clock timing).

### History budget

${rightTable(['execution (dev/prod deadlines)', 'status', 'polls (training / transform / endpoint)', 'state transitions', 'history events', 'of the 25,000 limit'], r.history.map((h) => [h.scenario, `${h.status}${h.error ? ` (${h.error})` : ''}`, `${h.polls.training} / ${h.polls.transform} / ${h.polls.endpoint}`, int(h.transitions), int(h.events), `${fixed(h.pctOfLimit)} %`]))}

### SageMaker Describe* rate, ${PIPELINES} pipelines

AWS publishes no default rate for SageMaker's Describe* operations: the SageMaker documentation only says that the management APIs are throttled and that those limits are not adjustable (SageMaker Developer Guide, quotas). We take the issue's working figure, ${API_BUDGET_TPS.assumed} requests per second per operation and account, and show the margin against a pessimistic ${API_BUDGET_TPS.pessimistic}/s (the rate reported for \`ListTrainingJobs\`, a heavier call). ${PIPELINES} executions with a 1 h training job, a 15 min transform and an 8 min endpoint update, all started in the same second (the worst case) or spread over an hour:

${rate}

When every pipeline starts in the same second, their first polls fall in the same second whatever the policy (${PIPELINES} calls at once, for the baselines too); Lambda's and the SDK's retries with backoff absorb such a burst. Sustained, the policy's densest minute (all ${PIPELINES} just past ${a.earliestFinishSeconds} s, polling every 10-12 s) stays at ${fixed(peakSustained, 1)} calls/s, within the assumed ${API_BUDGET_TPS.assumed}/s; over the pessimistic ${API_BUDGET_TPS.pessimistic}/s only in that minute and only if all start together.

### The trade-off, if the promise were relaxed

The policy's one free parameter is the latency promise. Relaxing it saves transitions for hour-long jobs but not the 4× the issue asks (the 5-minute cap binds first):

${tradeoff}

### Method

\`bench/poll/simulate.ts\` runs \`statemachines/pipeline.asl.yml\` itself on the local Step Functions engine (\`offline/local-stepfunctions\`) with Wait states taking no real time and a virtual clock advanced by their seconds. Every Await task is the real \`pollResource\` of mlops_await (status mapping, elapsed time, deadlines, the real \`nextWaitSeconds\`) against a fake SageMaker that answers from the virtual clock (InProgress/Training until the job's end, then Completed). Transitions and history events are counted from the execution history the engine writes (TaskStateEntered, LambdaFunctionScheduled/Started/Succeeded, TaskStateExited: 5 per Task; 2 per Choice; 2 per Wait). The baselines run the same code and ASL; only the wait the task returns is replaced. Each poll takes ${a.pollOverheadSeconds} s of virtual time (Lambda and transitions), every other task ${a.otherTaskSeconds} s.
`;
}

function coldStartSection(stored: Stored<ColdStartResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 2. Cold start and bundle size\n\nNo results yet: `pnpm bench -- --only coldstart`.\n';
  const r = stored.result;
  const largest = Math.max(...r.functions.map((f) => f.bytes));
  const worstInit = Math.max(...r.functions.map((f) => f.init.overEmptyMs));
  const worstInitNoMaps = Math.max(...r.functions.map((f) => f.initNoSourceMaps.overEmptyMs));
  targets.push(
    { area: 'Cold start', target: `every bundle < ${int(SIZE_TARGET_BYTES / 1024)} KB minified`, result: `${r.functions.map((f) => `${f.name.replace('mlops_', '')} ${kb(f.bytes)}`).join(', ')} (were ${kb(Math.min(...r.functions.map((f) => f.baseline?.bytes ?? Infinity)))}-${kb(Math.max(...r.functions.map((f) => f.baseline?.bytes ?? 0)))})`, ok: largest < SIZE_TARGET_BYTES },
    { area: 'Cold start', target: `initialization overhead over an empty bundle < ${INIT_TARGET_MS} ms`, result: `worst ${fixed(worstInit, 0)} ms with source maps as deployed (NODE_OPTIONS=--enable-source-maps), ${fixed(worstInitNoMaps, 0)} ms without`, ok: worstInit < INIT_TARGET_MS },
  );
  const sizes = rightTable(
    ['function', 'before', 'now', `< ${int(SIZE_TARGET_BYTES / 1024)} KB`, 'init now (over empty)', 'init without source maps (over empty)', 'the bundle alone (over empty)', 'init before', 'env-only credentials: size / init'],
    r.functions.map((f) => [
      f.name,
      f.baseline ? kb(f.baseline.bytes) : '-',
      `**${kb(f.bytes)}**`,
      f.bytes < SIZE_TARGET_BYTES ? 'yes' : 'no',
      `${fixed(f.init.initMs, 0)} ms (**${fixed(f.init.overEmptyMs, 0)} ms**)`,
      `${fixed(f.initNoSourceMaps.initMs, 0)} ms (${fixed(f.initNoSourceMaps.overEmptyMs, 0)} ms)`,
      f.initBundleOnly ? `${fixed(f.initBundleOnly.initMs, 0)} ms (${fixed(f.initBundleOnly.overEmptyMs, 0)} ms)` : '-',
      f.baseline ? `${fixed(f.baseline.init.initMs, 0)} ms` : '-',
      `${kb(f.variants['env-only credentials']!)} / ${f.envOnlyInit ? `${fixed(f.envOnlyInit.initMs, 0)} ms` : '-'}`,
    ]),
  );
  const top = r.functions
    .map((f) => `| ${f.name} | ${f.top.slice(0, 7).map((p) => `${p.name} ${kb(p.bytes)}`).join(', ')} |`)
    .join('\n');
  const baselineTop = r.functions
    .filter((f) => f.baseline)
    .map((f) => `| ${f.name} | ${f.baseline!.top.slice(0, 5).map((p) => `${p.name} ${kb(p.bytes)}`).join(', ')} |`)
    .join('\n');
  const cuts = rightTable(
    ['function', 'keepNames: false (saves)', 'without the schema-keys plugin', 'without the package.json plugin', 'default credential chain'],
    r.functions.map((f) => [f.name, `−${kb(f.bytes - f.variants['keepNames: false']!)}`, `+${kb(f.variants['without sdk-schema-literal-keys']! - f.bytes)}`, `+${kb(f.variants['without sdk-package-version-only']! - f.bytes)}`, kb(r.credentialChainBytes[f.name]!)]),
  );
  return `## 2. Cold start and bundle size

${provenance(stored)}

Bundles are built exactly as deployment builds them (\`esbuild.config.cjs\` through the offline stack's builder); "before" is the same build of commit ${r.baselineCommit?.slice(0, 7) ?? '(baseline unavailable)'} (its sources and esbuild configuration, read with \`git show\`). Initialization is measured in a fresh Node process per run: \`require\` the bundle, then build the SDK clients the function uses (what a Lambda init does before the first event), against an empty handler bundled the same way; median of ${r.runs} interleaved runs. "Over empty" subtracts the empty bundle's ${fixed(r.empty.init.initMs, 1)} ms. On AWS, Node's own start and the runtime's bootstrap come on top of both. "The bundle alone" loads the Node modules the SDK needs (\`http\`, \`https\`, \`crypto\`, \`zlib\`, \`stream\`…) before the clock starts, to separate the bundle's own initialization from theirs (the Lambda runtime has some of them loaded already). KB are 1,024 bytes.

${sizes}

### What dominates each bundle now (esbuild metafile, minified bytes)

| function | largest contributors |
| --- | --- |
${top}

And before: zod alone was 460 KB of every bundle.

| function | largest contributors before |
| --- | --- |
${baselineTop}

\`bench/results/metafile/<function>.txt\` has esbuild's full analysis of each shipped bundle.

### What was cut, and how

1. **zod → zod/mini** (\`packages/common/src/contracts.ts\`, \`config.ts\`, mlops_ingest's \`schema.ts\`): the same validation core, rules and English messages (\`zod-locale.ts\` installs the \`en\` locale, declared as the package's only side effect), but a functional API the bundler can tree-shake: 460 KB → about 30 KB per bundle. Classic zod imported as \`{ z }\` pulls the whole namespace (every locale, JSON Schema conversion, the JIT compiler). Schemas keep \`.parse\`/\`.safeParse\`/\`.shape\`; contract tests and messages are unchanged.
2. **SDK schemas tree-shaken** (\`sdk-schema-literal-keys\` plugin in \`esbuild.config.cjs\`): the SDK's generated schemas write traits with computed keys (\`{ [_h]: [...] }\`), which esbuild must assume have side effects, so every S3 operation's schema stayed in every S3 bundle (68 KB). Writing those keys as the string literals they are lets tree-shaking drop the unused ones (17 KB remain).
3. **\`package.json\` of each SDK package** (\`sdk-package-version-only\` plugin): clients import their whole manifest for its \`version\`; only \`name\` and \`version\` are kept.
4. **\`keepNames\` kept**: it wraps every function and class in a \`__name()\` call (about 6 % of every bundle, the first column below). Error names would survive minification without it (every error class the state machine matches declares a literal \`name\`, \`packages/common/src/errors.ts\`, as do the SDK's exceptions; \`offline/local-lambda/test/esbuild.int.test.ts\` checks that through a minified bundle), but Step Functions' Retry and Catch match on names, so the build keeps them for any class a later change adds, and for readable logs.
5. **Powertools Metrics only in mlops_eval**: it lived in the same module as the logger and, its package not being marked side-effect free, stayed in every bundle; it now has its own module (\`packages/common/src/emf.ts\`).
6. **Checked and already fine**: the \`@mlops/common\` barrel does not pull unused clients into bundles (its \`sideEffects\` declaration lets esbuild drop them: mlops_eval carries no SFN or SageMaker code); \`mainFields: ['module', 'main']\` already selects the SDK's ES module builds.

What each switch is worth (each flipped alone; keepNames is the one still on):

${cuts}

### The default credential chain: kept

The SDK's default provider chain (environment, SSO, INI files, web identity, process, container and instance metadata, with the STS, SSO, SSO-OIDC and Signin clients they need) is ${kb(Math.min(...Object.values(r.credentialChainBytes)))}-${kb(Math.max(...Object.values(r.credentialChainBytes)))} of each bundle. In Lambda only the environment provider ever answers, and a bundle with it alone is ${kb(Math.min(...r.functions.map((f) => f.variants['env-only credentials']!)))}-${kb(Math.max(...r.functions.map((f) => f.variants['env-only credentials']!)))} (the last column above; ${r.functions.filter((f) => f.variants['env-only credentials']! < SIZE_TARGET_BYTES).map((f) => f.name).join(', ')} would then be under ${int(SIZE_TARGET_BYTES / 1024)} KB). We keep the default chain: it is what users of the SDK expect (the same bundle works with \`sls invoke local\`, profiles and SSO on a laptop, and on any other compute), and its parts are loaded lazily, so it costs bytes and parse time but little execution at init. **This is why the size target is not met.**

### Source maps

\`serverless.yml\` sets \`NODE_OPTIONS=--enable-source-maps\` so that traces point at the TypeScript; Node then reads and parses each bundle's map (about 700 KB) when it loads the bundle: ${fixed(median(r.functions.map((f) => f.init.initMs - f.initNoSourceMaps.initMs)), 0)} ms of a cold start here (median over the functions). Dropping the option trades readable stack traces for those milliseconds; that is the stage owners' call (serverless.yml is outside this change).

### Why ${INIT_TARGET_MS} ms is ${worstInit < INIT_TARGET_MS ? 'met' : 'not met'}

What remains is V8 compiling ${kb(Math.min(...r.functions.map((f) => f.bytes)))}-${kb(largest)} of JavaScript, the SDK's module initialization (${r.functions.map((f) => fixed(f.init.clientsMs, 0)).join('/')} ms of it building the clients themselves), the Node modules the SDK loads (the gap between the "without source maps" and "bundle alone" columns), and the source maps. The bundles are less than half their former size and initialize ${fixed(median(r.functions.filter((f) => f.baseline).map((f) => f.baseline!.init.initMs - f.init.initMs)), 0)} ms faster (median); the rest is the AWS SDK itself, which this change keeps (no hand-written signers, the default credential chain).

`;
}

function evalSection(stored: Stored<EvalBenchResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 3. mlops_eval throughput\n\nNo results yet: `pnpm bench -- --only eval`.\n';
  const r = stored.result;
  const minRate = Math.min(...r.cases.map((c) => c.stream.rowsPerSecond));
  const rss = r.cases.map((c) => c.stream.maxRssMb);
  const flat = rss.length < 2 || Math.max(...rss) - Math.min(...rss) < 0.5 * Math.min(...rss);
  targets.push(
    { area: 'mlops_eval', target: '≥ 1 M rows/s', result: r.cases.map((c) => `${int(c.rows / 1e6)} M rows: ${fixed(c.stream.rowsPerSecond / 1e6, 2)} M rows/s`).join(', '), ok: minRate >= 1e6 },
    { area: 'mlops_eval', target: 'memory flat as rows grow', result: `peak RSS ${r.cases.map((c) => `${int(c.stream.maxRssMb)} MB at ${int(c.rows / 1e6)} M rows`).join(', ')} (naive: ${r.cases.map((c) => ('failed' in c.naive ? 'failed' : `${int(c.naive.maxRssMb)} MB`)).join(', ')})`, ok: flat },
  );
  return `## 3. mlops_eval throughput

${provenance(stored)}

Batch transform output (\`label,prediction\` lines, one \`.out\` object per run as SageMaker writes it) in a local S3 (s3rver in its own process); the deployed bundle's handler evaluates it in a fresh process per run (list, stream, metrics, sample, histogram, report written back to S3). The naive baseline, in the same run: GetObject → \`transformToString\` → split lines → split fields → \`Number\` → the same sums. Median of ${r.runs} run(s); peak RSS is the process's (\`resourceUsage().maxRSS\`), including Node and the loaded bundle (about ${int(r.cases[0]?.stream.rssBeforeMb ?? 0)} MB before the work starts).

${rightTable(
  ['rows', 'object', 'before: rows/s', 'streaming: time', 'rows/s', 'peak RSS', 'naive: time', 'rows/s', 'peak RSS', 'same MSE'],
  r.cases.map((c) => [
    int(c.rows),
    `${fixed(c.bytes / 1e6, 0)} MB`,
    c.baseline ? `${fixed(c.baseline.rowsPerSecond / 1e6, 2)} M` : '-',
    sec(c.stream.medianMs),
    `**${fixed(c.stream.rowsPerSecond / 1e6, 2)} M**`,
    `**${int(c.stream.maxRssMb)} MB**`,
    'failed' in c.naive ? 'failed' : sec(c.naive.medianMs),
    'failed' in c.naive ? '-' : `${fixed(c.naive.rowsPerSecond / 1e6, 2)} M`,
    'failed' in c.naive ? c.naive.failed : `${int(c.naive.maxRssMb)} MB`,
    c.mseAgrees ? 'yes' : 'no',
  ]),
)}

Memory stays flat: from 1 M to 10 M rows the streaming evaluation's peak grows by a few tens of MB (V8 lets the young generation grow while garbage flows through), against ~7× for the naive read, which at 10 M rows would not fit the function's 1,024 MB. What changed: lines are handed over in one array per network chunk (\`readLineBatches\` in \`packages/common/src/lines.ts\`) instead of one async-generator step (a microtask) per line, and the plot sample hashes each row's index without building its decimal string (\`fnv1a32OfIndex\`, same hash)${r.cases.some((c) => c.baseline) ? `: together ${r.cases.filter((c) => c.baseline).map((c) => `${fixed(c.stream.rowsPerSecond / c.baseline!.rowsPerSecond, 1)}×`).join(' and ')} faster than before (the \`before\` column: the same bundle built from the baseline commit, one run)` : ''}.
`;
}

function ingestSection(stored: Stored<IngestBenchResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 4. mlops_ingest throughput\n\nNo results yet: `pnpm bench -- --only ingest`.\n';
  const r = stored.result;
  const rssFlat = Math.max(...r.ingest.maxRssMb) < 512;
  targets.push(
    { area: 'mlops_ingest', target: 'within 2× of a plain copy of the same object', result: `${fixed(r.ratio, 1)}× (${fixed(r.ingest.mbPerSecond, 1)} MB/s against ${fixed(r.copy.mbPerSecond, 1)} MB/s, ${fixed(r.bytes / 2 ** 30, 2)} GiB)`, ok: r.ratio <= 2 },
    { area: 'mlops_ingest', target: 'memory flat', result: `peak RSS ${int(Math.max(...r.ingest.maxRssMb))} MB for ${fixed(r.bytes / 2 ** 30, 2)} GiB`, ok: rssFlat },
  );
  return `## 4. mlops_ingest throughput

${provenance(stored)}

A generated abalone-like CSV (${int(r.rowsApprox)} rows, ${fixed(r.bytes / 2 ** 20, 0)} MiB; numbers written as the sample writes them) uploaded to a local S3 (s3rver in its own process, as in the offline stack). The deployed bundle's handler ingests it in a fresh process (HeadObject, profile pass, split pass writing three channels by multipart upload, schema.json, StartExecution to a stub). The baseline, on the same S3 in the same run: the object streamed from GetObject into a multipart \`Upload\` of a new object (the same SDK, part size and queue depth as the channel writer), i.e. one read and one write of the same bytes. A server-side \`CopyObject\` took ${sec(r.serverCopy.ms)} (s3rver copies the file on disk; no data crosses the client, so it is no yardstick). ${r.runs} run(s); MB/s is input bytes over wall time.

${rightTable(['', 'time', 'MB/s', 'peak RSS'], [
  ...(r.baseline ? [[`mlops_ingest before (commit ${r.baseline.commit.slice(0, 7)})`, sec(r.baseline.ms), fixed(r.baseline.mbPerSecond, 1), `${int(r.baseline.maxRssMb)} MB`]] : []),
  ['mlops_ingest (two passes, three channels)', sec(r.ingest.medianMs), `**${fixed(r.ingest.mbPerSecond, 1)}**`, `**${int(Math.max(...r.ingest.maxRssMb))} MB**`],
  ['stream copy (GetObject → Upload)', sec(r.copy.medianMs), fixed(r.copy.mbPerSecond, 1), `${int(Math.max(...r.copy.maxRssMb))} MB`],
  ['ratio', `**${fixed(r.ratio, 1)}×**`, '', ''],
])}

${r.baseline ? `Before this change (the same bundle built from commit ${r.baseline.commit.slice(0, 7)}, same object, same run) ingest took ${sec(r.baseline.ms)}: ${fixed(r.baseline.mbPerSecond, 1)} MB/s, peak RSS ${int(r.baseline.maxRssMb)} MB; now ${fixed(r.baseline.ms / r.ingest.medianMs, 1)}× faster. ` : ''}What changed (\`services/mlops_ingest/src\`):

- **A plain-CSV fast path** (\`readPlainLines\` in \`csv.ts\`): uploads without quotes and with LF or CRLF line ends — what ML uploads almost always are — are split with \`indexOf\` instead of csv-parse's byte-level state machine; anything else (a quote anywhere, a stray CR, mixed line ends) makes it throw before yielding a wrong record, and both passes are read again with csv-parse. \`services/mlops_ingest/test/plain-csv.test.ts\` checks it against csv-parse on generated inputs (records, schema, channel lines, any chunking).
- **Fields in place** (\`FieldBounds\`, \`ColumnStats.addRange\`): the profile pass parses plain decimals where they are (\`parseSimpleDecimal\`, exactly \`Number()\`'s result) without making them strings once a column has more distinct values than it tracks.
- **Encoding by slices** (\`plainRowEncoder\`): \`String(Number(x))\` is skipped where it would give \`x\` back (\`isCanonicalDecimal\`), and a run of numeric columns is copied as one slice; the output bytes are the same as before.
- **No await per row**: records come in one batch per network chunk and channel lines are joined once per 64 KB instead of concatenated line by line.

Memory stays flat: the passes keep O(columns) state; the channel writers hold at most two 5 MiB parts each.

**Why 2× is not met.** The copy moves each byte once in each direction; ingest must read the object twice (the schema — categories, means, classes, row counts — is known only after a full pass, and encoding needs it) and write a little more than it read (one-hot columns), so even with free parsing it would take about 1.5× the copy. On top, every row is parsed, validated, hashed (the seeded MurmurHash3 that makes the split reproducible, per character) and re-encoded in one JavaScript thread: about 1 µs per row per pass, where the copy's bytes pass through untouched. A Lambda function at 1,024 MB gets about 0.6 vCPU, so on AWS the gap widens. Closing it would take native code (a WASM CSV splitter and hash) or a one-pass design that buffers the data (not flat in memory); neither is worth it for a step that runs once per upload.
`;
}

function e2eSection(stored: Stored<E2eResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 5. End to end\n\nNo results yet: `pnpm bench -- --only e2e`.\n';
  const r = stored.result;
  const m = r.median;
  const uploadToDeployed = m.ingestMs + m.executionMs;
  targets.push(
    { area: 'End to end', target: `the sample under ${E2E_TARGET_MS / 1000} s`, result: `\`pnpm pipeline --json\` ${sec(r.command.medianMs)} (whole command); upload to Deployed ${sec(uploadToDeployed)}`, ok: r.command.medianMs < E2E_TARGET_MS },
    { area: 'End to end', target: `orchestration overhead under ${OVERHEAD_TARGET_MS / 1000} s`, result: `${sec(m.overheadMs)} (upload to Deployed minus the training and transform processes; median of ${r.runs.length})`, ok: m.overheadMs < OVERHEAD_TARGET_MS },
  );
  return `## 5. End to end

${provenance(stored)}

The sample (\`data/abalone.csv\`) through the offline stack, run in process with \`offline/local-stack\` (read-only) exactly as \`pnpm pipeline\` runs it (Wait states at 1/${r.timeScale} of their seconds, the policy's decisions unchanged); ${r.runs.length} runs, each with a fresh stack, medians. The process times come from the local SageMaker's own timestamps (\`TrainingStartTime\`→\`TrainingEndTime\`, \`TransformStartTime\`→\`TransformEndTime\`); the rest from the execution history.

${rightTable(['', 'median'], [
  ['stack start (serverless.yml already resolved and cached)', sec(m.stackStartMs)],
  ['upload → execution started (S3 trigger, mlops_ingest, StartExecution)', sec(m.ingestMs)],
  ['execution (Train → Deployed)', sec(m.executionMs)],
  ['— of which the training process', sec(m.trainingProcessMs)],
  ['— of which the transform process', sec(m.transformProcessMs)],
  ['— endpoint creation (local serve process until InService)', sec(m.endpointStartMs)],
  ['— Wait states (the poll policy, scaled)', sec(m.waitMs)],
  ['— Task states (Lambda invocations in both executions, each function cold once)', sec(m.lambdaTaskMs)],
  ['**orchestration overhead** (upload → Deployed − training − transform)', `**${sec(m.overheadMs)}**`],
  ['stack stop', sec(m.stackStopMs)],
  ['`pnpm pipeline --json`, whole command', `**${sec(r.command.medianMs)}**`],
])}

Polls: training ${m.polls.training}, transform ${m.polls.transform}, endpoint ${m.polls.endpoint}. Offline, jobs take about a second, so every loop sees its job done after one or two floor waits (training and endpoint 30 s, transform 20 s: 0.2-0.3 s at 100×); the endpoint's loop runs in the deploy execution. ${m.lambdaTaskMs >= m.waitMs ? 'Task states are the larger part of the overhead, mostly the Lambda cold starts (each of the eight functions\' first invocation starts a Node process and loads its bundle), then the scaled Wait states' : 'The scaled Wait states are the larger part of the overhead, then the Task states, mostly the Lambda cold starts (each of the eight functions\' first invocation starts a Node process and loads its bundle)'}. Smaller bundles made the cold starts cheaper.

Stack start reuses each function's bundle while every file esbuild read for it is unchanged (\`offline/local-stack/src/bundles.ts\`: a content hash of the metafile's inputs and the config), and rebuilds the images' programs only when a source is newer; the figures above are of such warm starts, as a developer's second run is (the first run after a change rebuilds, about 1.5 s more). Pre-starting one execution environment per function would take the cold starts out of the execution, but Lambda does not do that without provisioned concurrency, so the offline stack does not either.
`;
}

function xgboostSection(stored: Stored<XGBoostBenchResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 6. Built-in XGBoost offline\n\nNo results yet: `pnpm bench -- --only xgboost`.\n';
  const r = stored.result;
  const abalone = r.cases.find((c) => c.dataset === 'abalone')!;
  const iris = r.cases.find((c) => c.dataset === 'iris')!;
  const mseGap = Math.abs(abalone.metric.value - abalone.metric.reference) / abalone.metric.reference;
  targets.push(
    { area: 'XGBoost offline', target: 'abalone test MSE within 2 % of real XGBoost 1.7.4', result: `${fixed(abalone.metric.value, 4)} vs ${fixed(abalone.metric.reference, 4)} (${fixed(mseGap * 100, 2)} %)`, ok: mseGap < 0.02 },
    { area: 'XGBoost offline', target: 'predictions identical to real XGBoost 1.7.4', result: r.cases.map((c) => `${c.dataset} ${c.predictionsIdentical}/${c.testRows}, model ${c.modelIdentical ? 'byte-identical' : 'differs'}`).join('; '), ok: r.cases.every((c) => c.modelIdentical && c.predictionsIdentical === c.testRows) },
    { area: 'XGBoost offline', target: 'an Iris-like classification at accuracy >= 0.93', result: fixed(iris.metric.value, 3), ok: iris.metric.value >= 0.93 },
  );
  return `## 6. Built-in XGBoost offline

${provenance(stored)}

\`offline/sagemaker-xgboost\` drives the real libxgboost 1.7.4 (Debian's \`libxgboost0\`) through its C API. The references were made with Python's xgboost 1.7.4 on the same train/validation/test files and hyperparameters (\`offline/sagemaker-xgboost/test/fixtures/make-reference.py\`, command at its top); \`offline/sagemaker-xgboost/test/reference.test.ts\` checks the same in CI.

${rightTable(['dataset', 'train rows', 'rounds', 'training (median)', 'model vs reference', 'test predictions identical', 'test metric', 'reference'], r.cases.map((c) => [c.dataset, int(c.trainRows), c.rounds, `${int(c.trainMs)} ms`, c.modelIdentical ? 'byte-identical' : 'differs', `${c.predictionsIdentical}/${c.testRows}`, `${c.metric.name} ${fixed(c.metric.value, 4)}`, fixed(c.metric.reference, 4)]))}

Prediction: ${int(r.predict.rows)} abalone rows in ${int(r.predict.ms)} ms (${int(r.predict.rowsPerSecond)} rows/s, the library alone; CSV parsing and encoding in \`serve\` come on top).
`;
}

const gib = (bytes: number) => bytes / 2 ** 30;
/** A dataset size: GiB, or TiB from 1 TiB on. */
const size = (bytes: number) => (bytes >= 2 ** 40 ? `${fixed(bytes / 2 ** 40, bytes >= 10 * 2 ** 40 ? 0 : 1)} TiB` : `${fixed(gib(bytes), gib(bytes) >= 100 ? 0 : 1)} GiB`);
/** A projected duration: seconds, minutes or hours. */
const span = (s: number) => (s < 120 ? `${int(s)} s` : s < 7200 ? `${fixed(s / 60, 1)} min` : `${fixed(s / 3600, 1)} h`);

/** The run whose total is the median (of an even number, the nearer one). */
const medianRun = (c: ScaleBenchResult['cases'][number]) => [...c.runs].sort((x, y) => Math.abs(x.totalMs - c.totalMs) - Math.abs(y.totalMs - c.totalMs))[0]!;

function scaleSection(stored: Stored<ScaleBenchResult> | undefined, targets: Target[]): string {
  if (!stored) return '## 7. Scale path\n\nNo results yet: `pnpm bench -- --only scale`.\n';
  const r = stored.result;
  const one = r.cases.find((c) => c.instances === 1)!;
  const two = r.cases.find((c) => c.instances === 2)!;
  const aws = r.aws;
  const a = aws.assumptions;
  const lambda = aws.lambda;
  const checks = r.cases.every((c) => c.countsMatch) && r.schemasAgree;
  targets.push(
    { area: 'Scale path', target: 'counts/*.json sum to the rows generated; 1 and 2 instances merge to the same schema', result: `${int(r.rows)} rows with 1 and with 2 instances; same rows per channel and split edges: ${r.schemasAgree ? 'yes' : 'no'}`, ok: checks },
    { area: 'Scale path', target: '2 instances against 1 (2 cores here)', result: `${fixed(r.speedup.total, 2)}× end to end (profile ${fixed(r.speedup.profile, 2)}×, split ${fixed(r.speedup.split, 2)}×), ${fixed(gib(r.bytes), 1)} GiB`, ok: undefined },
  );
  const phases = rightTable(
    ['instances', 'profile', 'merge', 'split', 'total', 'MB/s (all instances)', 'MB/s per instance (profile / split / both)', 'peak RSS per instance (profile / split)', 'speedup'],
    r.cases.map((c) => [
      c.instances,
      sec(c.profileMs),
      `${int(c.mergeMs)} ms`,
      sec(c.splitMs),
      `**${sec(c.totalMs)}**`,
      `**${fixed(c.mbPerSecond, 1)}**`,
      `${fixed(c.instanceMbPerSecond.profile, 1)} / ${fixed(c.instanceMbPerSecond.split, 1)} / ${fixed(c.instanceMbPerSecond.both, 1)}`,
      `${int(c.maxRssMb.profile)} MB / ${int(c.maxRssMb.split)} MB`,
      c.instances === 1 ? '1×' : `**${fixed(one.totalMs / c.totalMs, 2)}×**`,
    ]),
  );
  const perInstance = rightTable(
    ['instances', 'host', 'parts', 'shard', 'profile: time', 'MB/s', 'peak RSS', 'CPU', 'split: time', 'MB/s', 'peak RSS', 'CPU'],
    r.cases.flatMap((c) => {
      const run = medianRun(c);
      return run.profile.instances.map((p, i) => {
        const q = run.split.instances[i]!;
        const cpu = (x: { cpuSeconds?: number }) => (x.cpuSeconds === undefined ? '-' : `${fixed(x.cpuSeconds, 1)} s`);
        return [c.instances, p.host, p.parts, `${int(p.bytes / 1e6)} MB`, sec(p.ms), fixed(p.mbPerSecond, 1), `${int(p.maxRssMb)} MB`, cpu(p), sec(q.ms), fixed(q.mbPerSecond, 1), `${int(q.maxRssMb)} MB`, cpu(q)];
      });
    }),
    2,
  );
  // † marks a crossover past the Lambda path's own limit (there it cannot run at all).
  const crossing = (n: number | undefined, limit: number) => (n === undefined ? 'never' : `${size(n)}${n > limit ? ' †' : ''}`);
  const projection = rightTable(
    ['path', 'MB/s (processing only)', `largest dataset: AWS runtime limit`, `the stage's ${a.stage.maxRuntimeS / 3600} h`, `by volume (${int(a.maxVolumeGb)} GB per instance)`, `the stage's ${a.stage.volumeGb} GB`, 'faster than the Lambda path from', `… at ${fixed(a.lambdaVcpuShare, 2)} vCPU`],
    [
      ...(lambda
        ? [[`Lambda (mlops_ingest, one invocation)`, `${fixed(lambda.mbPerS, 1)} (${fixed(lambda.scaledMbPerS, 1)} at ${fixed(a.lambdaVcpuShare, 2)} vCPU)`, `**${size(lambda.maxBytes)}** in ${LAMBDA_TIMEOUT_S / 60} min (${size(lambda.maxBytesScaled)})`, '', 'streams: none', '', '', '']]
        : []),
      ...aws.instances.map((p) => [
        `processing, ${p.instances} instance${p.instances > 1 ? 's' : ''}`,
        fixed(p.mbPerS, 1),
        `**${size(p.maxBytesByRuntime)}**`,
        size(p.maxBytesByStageRuntime),
        `**${size(p.maxBytesByVolume)}**`,
        size(p.maxBytesByStageVolume),
        lambda ? `**${crossing(p.crossoverBytes, lambda.maxBytes)}**` : '-',
        lambda ? crossing(p.crossoverScaledBytes, lambda.maxBytesScaled) : '-',
      ]),
    ],
  );
  const times = rightTable(
    ['dataset', ...(lambda ? ['Lambda path'] : []), ...INSTANCE_COUNTS.map((n) => `processing, ${n}`)],
    SIZES_GIB.map((g, i) => [`${g} GiB`, ...(lambda ? [lambda.seconds[i] === null ? 'over 15 min' : span(lambda.seconds[i]!)] : []), ...aws.instances.map((p) => span(p.seconds[i]!))]),
  );
  const fasterFrom = lambda
    ? aws.instances.filter((p) => p.crossoverBytes !== undefined).map((p) => `${p.instances} instance${p.instances > 1 ? 's' : ''} from ${size(p.crossoverBytes!)}${p.crossoverBytes! > lambda.maxBytes ? ' †' : ''}`)
    : [];
  const never = aws.instances.filter((p) => p.crossoverBytes === undefined).map((p) => p.instances);
  const stage = aws.instances.find((p) => p.instances === a.stage.instances);
  const threshold = (() => {
    if (!lambda || !stage) return '';
    const at = `The stage's \`preprocessThresholdBytes\` (${size(a.stage.thresholdBytes)} by default) sends a dataset to the processing path (${a.stage.instances} instances)`;
    if (stage.crossoverBytes === undefined) return `${at} although that path is never faster here: it is there for what the Lambda path cannot do in ${LAMBDA_TIMEOUT_S / 60} minutes.`;
    if (a.stage.thresholdBytes < stage.crossoverBytes) return `${at} below its crossover (${size(stage.crossoverBytes)}): from there to the crossover the Lambda path would be faster, but it keeps the Lambda path well inside its ${LAMBDA_TIMEOUT_S / 60} minutes (${size(a.stage.thresholdBytes)} takes ${span(a.stage.thresholdBytes / 1e6 / lambda.mbPerS)} at the measured throughput, ${span(a.stage.thresholdBytes / 1e6 / lambda.scaledMbPerS)} at ${fixed(a.lambdaVcpuShare, 2)} vCPU).`;
    return `${at} from its crossover on (${size(stage.crossoverBytes)}).`;
  })();
  const rssRatio = Math.max(one.maxRssMb.profile, one.maxRssMb.split) / Math.max(two.maxRssMb.profile, two.maxRssMb.split);
  // CPU over wall time per instance in a phase (median run), in %: how busy its core was.
  const busy = (c: typeof one, phase: 'profile' | 'split') => {
    const instances = medianRun(c)[phase].instances;
    return Math.round(Math.min(...instances.map((i) => ((i.cpuSeconds ?? NaN) * 1000 * 100) / i.ms)));
  };
  const range = (xs: number[]) => `${sec(Math.min(...xs))}-${sec(Math.max(...xs))}`;
  // CPU seconds per GB of input over every process of every run: constant for the program, so its range is the machine's.
  const cpuPerGb = (phase: 'profile' | 'split') =>
    r.cases.flatMap((c) => c.runs.flatMap((x) => x[phase].instances)).filter((i) => i.cpuSeconds !== undefined && i.bytes > 0).map((i) => i.cpuSeconds! / (i.bytes / 1e9));
  const cpuRange = (phase: 'profile' | 'split') => `${fixed(Math.min(...cpuPerGb(phase)), 1)}-${fixed(Math.max(...cpuPerGb(phase)), 1)} s`;
  const spread = () => {
    if (!r.cases.every((c) => c.runs.length > 1)) return '';
    const runs = ` The runs spread over ${r.cases.map((c) => `profile ${range(c.runs.map((x) => x.profile.wallMs))} and split ${range(c.runs.map((x) => x.split.wallMs))} with ${c.instances} instance${c.instances > 1 ? 's' : ''}`).join(', ')}.`;
    if (cpuPerGb('profile').length === 0) return runs;
    const drift = Math.max(...cpuPerGb('profile')) / Math.min(...cpuPerGb('profile'));
    return `${runs} The CPU time one GB of input took ranged over ${cpuRange('profile')} in the profile and ${cpuRange('split')} in the split, process to process: the program does the same work per row whatever its shard, so the cores themselves ran at speeds up to ${fixed(drift, 1)}× apart (a shared virtual machine; see the load average above)${r.speedup.total > 2 ? `, which is how 2 instances came out more than 2× as fast as 1` : ''}.`;
  };

  return `## 7. Scale path

${provenance(stored)}

The processing container of the scale path (\`containers/preprocess\`, built with its \`build.mjs\` and run as the image runs it: \`node dist/preprocess.js profile|split\` with the image's \`NODE_OPTIONS\`) on a generated abalone-like dataset: ${r.parts} header-less CSV parts of 9 columns, the regression label last (the shape of \`data/abalone.csv\`, the rows of section 4's generator), ${fixed(r.bytes / 2 ** 20, 0)} MiB and ${int(r.rows)} rows in all (written in ${sec(r.generateMs)}, deleted at the end). Each instance is a process with its own \`SAGEMAKER_BASE_DIR\` laid out as SageMaker Processing lays out \`/opt/ml\`: \`config/resourceconfig.json\`, the request mlops_ingest would write (\`processing/input/request/request.json\`), its ShardedByS3Key shard of the parts (part i to instance (i mod N) + 1, hard-linked), and for the split the merged schema. Per instance count: the profile job (the instances in parallel), the merge in the bench process (\`Profiler.merged(states, request.profile).schema()\`, what mlops_ingest's merge step runs), the split job (in parallel). ${stored.options.runs as number} run(s) per instance count, the counts taking turns (1 then 2, then 2 then 1, ...), medians. The parts are read from the page cache (just written, ${stored.machine.memoryGb} GB of memory), so reading does not wait on the disk; the channels are written to it. Peak RSS per instance: ${r.peakRss}.

${phases}

Per instance (the run with the median total):

${perInstance}

**Checked in the run**: the rows in \`counts/*.json\` sum to the ${int(r.rows)} rows generated, with 1 and with 2 instances (${r.cases.every((c) => c.countsMatch) ? 'yes' : 'no'}); the merged schemas of 1 and 2 instances have the same rows per channel (train ${int(r.schema.rows.train)}, validation ${int(r.schema.rows.validation)}, test ${int(r.schema.rows.test)}) and the same split edges (${r.schemasAgree ? 'yes' : 'no'}). The channels written are ${fixed(one.outputBytes / r.bytes, 2)}× the input's bytes (the label first, \`sex\` one-hot).

**Speedup.** 2 instances were ${fixed(r.speedup.total, 2)}× as fast as 1 end to end (profile ${fixed(r.speedup.profile, 2)}×, split ${fixed(r.speedup.split, 2)}×) on this 2-core machine. Each instance is one JavaScript thread: alone, it kept a core busy (on CPU ${busy(one, 'profile')} % of the profile's wall time, ${busy(one, 'split')} % of the split's, V8's helper threads included); two at once, ${busy(two, 'profile')} % and ${busy(two, 'split')} % each${Math.min(busy(two, 'profile'), busy(two, 'split')) < 90 ? `: the rest is time off the CPU, waiting on the disk (both instances write their channels, ${fixed(one.outputBytes / r.bytes, 2)}× the input, to this machine's one disk) or for a core (shared with the machine's other work, see the load average above); on AWS each instance has its own cores and volume` : ''}. Per instance, 2 instances ran at ${fixed((two.instanceMbPerSecond.both / one.instanceMbPerSecond.both) * 100, 0)} % of 1 instance's speed.${spread()} On SageMaker each instance is a machine of its own, so the projection below takes the 1-instance figures per instance and multiplies.

Peak memory: ${int(Math.max(one.maxRssMb.profile, one.maxRssMb.split))} MB for an instance with all ${fixed(gib(r.bytes), 1)} GiB, ${int(Math.max(two.maxRssMb.profile, two.maxRssMb.split))} MB with half of it${rssRatio < 1.25 ? ': flat in the data (pass 1 keeps O(columns) state and the distinct row hashes up to a bound; the split, its channel buffers)' : ''}; an ml.m5.xlarge has 16 GiB.

### On AWS, on paper

From the figures above and these limits and assumptions (the constants in \`bench/scale/aws.ts\`, each with its source):

- **Lambda**: an invocation runs at most ${LAMBDA_TIMEOUT_S / 60} min and has at most ${int(LAMBDA_MAX_MEMORY_MB)} MB ([Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), [timeout](https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html)). Memory does not limit the Lambda path (mlops_ingest streams; section 4); time does. Its throughput is section 4's: ${lambda ? `${fixed(lambda.mbPerS, 1)} MB/s on ${fixed(gib(lambda.measuredBytes), 2)} GiB (measured ${lambda.measuredAt.slice(0, 16).replace('T', ' ')} UTC${lambda.measuredAt.includes('quick') ? ', quick mode' : ''})` : 'no figures yet (`pnpm bench -- --only ingest`)'}, one process on this machine against a local S3. A function's CPU is proportional to its memory (one vCPU at ${int(LAMBDA_MB_PER_VCPU)} MB, [memory](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)): at mlops_ingest's ${int(LAMBDA_INGEST_MEMORY_MB)} MB a CPU-bound invocation gets ${fixed(a.lambdaVcpuShare, 2)} of a vCPU, so the columns "at ${fixed(a.lambdaVcpuShare, 2)} vCPU" scale it down by that much.
- **SageMaker Processing**: \`MaxRuntimeInSeconds\` at most ${int(a.maxRuntimeS)} s (${a.maxRuntimeS / 86_400} days, [\`ProcessingStoppingCondition\`](https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingStoppingCondition.html); each job has its own), \`VolumeSizeInGB\` at most ${int(a.maxVolumeGb)} per instance (EBS gp2) and \`InstanceCount\` at most ${PROCESSING_MAX_INSTANCES} ([\`ProcessingClusterConfig\`](https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html)); the SageMaker model in \`offline/aws-models\` has the same bounds. The stage as configured: ${a.stage.instances} instances, ${a.stage.volumeGb} GB each, ${a.stage.maxRuntimeS / 3600} h per job (\`serverless.yml\` defaults).
- **Assumed, not measured**: a job's start-up (instances, image) takes ${a.startupS / 60} min and the path pays it twice (profile, then split); an instance moves ${a.s3MbPerS} MB/s between S3 and its volume (the shard downloaded in both jobs, the channels uploaded after the split), counted in the job's runtime; an instance runs the program at the per-instance speed measured here with 1 instance (profile ${fixed(one.instanceMbPerSecond.profile, 1)} MB/s, split ${fixed(one.instanceMbPerSecond.split, 1)} MB/s), and N instances N times as fast, each on ceil(${r.parts} / N) of the ${r.parts} parts; the merge takes what it took here (${int(Math.max(...r.cases.map((c) => c.mergeMs)))} ms).

So the processing path costs ${span(aws.fixedS)} before any byte (two start-ups and the merge), then per input MB on the busiest instance: download, profile, download, split, upload. The largest dataset within a limit is the one whose slower job (the split) just fits its runtime, or whose shard plus its channel files just fit one instance's volume:

${projection}

End to end (the dataset's bytes to its channels), projected; the processing path's poll loop sees each job end a little later (at most 10 % of its elapsed time, section 1), which is not counted:

${times}

**Crossover.** ${lambda ? `At the Lambda path's measured throughput, the processing path is faster end to end with ${fasterFrom.join('; ')}${never.length ? `; with ${never.join(', ')} instance(s) never (per MB it is no faster than the Lambda path, so the start-ups are never paid back)` : ''} († past the Lambda path's own limit: there the processing path is the only one anyway). If the Lambda path is CPU-bound at ${fixed(a.lambdaVcpuShare, 2)} vCPU, the crossovers move down (the last column). The Lambda path handles at most ${size(lambda.maxBytes)} (${size(lambda.maxBytesScaled)} at ${fixed(a.lambdaVcpuShare, 2)} vCPU) in its ${LAMBDA_TIMEOUT_S / 60} minutes; past that only the processing path can, up to the limits above (with the stage's ${a.stage.volumeGb} GB volumes, ${stage ? size(stage.maxBytesByStageVolume) : '-'} for ${a.stage.instances} instances: raise \`preprocessVolumeGb\` for more). ${threshold}` : 'No Lambda-path figures yet: run `pnpm bench -- --only ingest`, then this section again.'}
`;
}

export function renderReport(): string {
  const targets: Target[] = [];
  const poll = pollSection(load<PollBenchResult>('poll'), targets);
  const cold = coldStartSection(load<ColdStartResult>('coldstart'), targets);
  const evaluation = evalSection(load<EvalBenchResult>('eval'), targets);
  const ingest = ingestSection(load<IngestBenchResult>('ingest'), targets);
  const e2e = e2eSection(load<E2eResult>('e2e'), targets);
  const xgboost = xgboostSection(load<XGBoostBenchResult>('xgboost'), targets);
  const scale = scaleSection(load<ScaleBenchResult>('scale'), targets);
  const summary = table(
    ['area', 'target', 'result', 'status'],
    targets.map((t) => [t.area, t.target, t.result, t.ok === undefined ? '-' : met(t.ok)]),
  );
  const text = `# Performance

The cheapest correct orchestration and the fastest functions, measured. Every figure here is
produced by \`pnpm bench\` (\`bench/\`), which writes the raw results to \`bench/results/\` and
renders this file from them; each section says when, where and with which command its figures were
measured. Reproduce:

\`\`\`sh
pnpm bench                                    # everything, about 35 minutes on 2 cores (most of it the 1 GiB ingest and the 4 GiB scale path)
pnpm bench -- --only poll|coldstart|eval|ingest|e2e|xgboost|scale   # one or more sections (comma-separated)
pnpm bench -- --quick                         # smaller and fewer runs: a quick check, not for the record
pnpm bench -- --only ingest --ingest-mb 256   # ingest on another size (default 1024 MiB)
pnpm bench -- --only scale --scale-mb 8192    # the scale path on another size (default 4096 MiB in 16 parts)
\`\`\`

The poll-policy figures are deterministic (a virtual clock); \`test/perf/poll-policy.test.ts\` checks
the policy's promises on the same simulator. No test asserts a wall-clock time: the timings below
depend on the machine and its load (the 2-core machine these were taken on was shared, see each
section's load average).

## Targets

${summary}

${poll}
${cold}
${evaluation}
${ingest}
${e2e}
${xgboost}
${scale}`;
  const path = join(ROOT, 'docs', 'PERFORMANCE.md');
  writeFileSync(path, text);
  return path;
}

export { DURATIONS };
