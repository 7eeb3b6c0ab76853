/**
 * The scale path's processing container (containers/preprocess) on a generated multi-part dataset
 * (4 GiB in 16 parts by default), with 1 and with 2 instances, as SageMaker Processing runs it: every
 * instance a process of its own with its own SAGEMAKER_BASE_DIR (resource config, request, its
 * ShardedByS3Key shard of the parts, hard-linked), the profile job (the instances in parallel), the
 * merge (Profiler.merged(...).schema(), here in the bench process, a Lambda step on AWS), the split job
 * (in parallel). Wall time per phase, per-instance peak RSS and MB/s, the speedup of 2 instances over
 * 1; the row counts and the two schemas are checked. Then the same figures on paper for AWS (aws.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_NA_VALUES, PROCESSING_PATHS } from '@mlops/common';
import { Profiler, ProfileStateSchema, type PreprocessRequest, type SchemaDocument } from '@mlops/mlops_ingest/processing';
import { abaloneCsvParts } from '../lib/data';
import { RESULTS, ROOT, WORK } from '../lib/paths';
import { median } from '../lib/stats';
import { projectAws, type AwsProjection } from './aws';

export const PARTS = 16;
export const INSTANCES = [1, 2] as const;
const CONTAINER = join(ROOT, 'containers/preprocess');
const PROGRAM = join(CONTAINER, 'dist/preprocess.js');
const COLUMNS = ['sex', 'length', 'diameter', 'height', 'whole_weight', 'shucked_weight', 'viscera_weight', 'shell_weight', 'rings'];
const TIME = '/usr/bin/time';

export interface InstanceRun {
  host: string;
  parts: number;
  /** Bytes of the instance's shard. */
  bytes: number;
  ms: number;
  mbPerSecond: number;
  maxRssMb: number;
  /** CPU seconds (user + system), when /usr/bin/time measured the process. */
  cpuSeconds?: number;
  /** The program's success line. */
  line: string;
}

export interface PhaseRun {
  /** From starting the first instance to the last one's exit. */
  wallMs: number;
  instances: InstanceRun[];
}

export interface ScaleRun {
  profile: PhaseRun;
  mergeMs: number;
  split: PhaseRun;
  totalMs: number;
  /** Sum of the rows in counts/*.json. */
  countedRows: number;
  schemaRows: { train: number; validation: number; test: number };
  outputBytes: number;
}

export interface ScaleCase {
  instances: number;
  runs: ScaleRun[];
  /** Medians over the runs. */
  profileMs: number;
  mergeMs: number;
  splitMs: number;
  totalMs: number;
  /** Input bytes over the total wall time, all instances. */
  mbPerSecond: number;
  /** Per instance (shard bytes over its own time), median over instances and runs. */
  instanceMbPerSecond: { profile: number; split: number; both: number };
  maxRssMb: { profile: number; split: number };
  countsMatch: boolean;
  outputBytes: number;
}

export interface ScaleBenchResult {
  generatedAt: string;
  megabytes: number;
  parts: number;
  bytes: number;
  rows: number;
  generateMs: number;
  /** How peak RSS was read. */
  peakRss: string;
  cases: ScaleCase[];
  speedup: { profile: number; split: number; total: number };
  /** The merged schemas of every instance count have the same rows and split edges. */
  schemasAgree: boolean;
  schema: { rows: SchemaDocument['rows']; edges: unknown; featureCount: number };
  aws: AwsProjection;
}

/** The request mlops_ingest would write for this dataset: header-less abalone, the local stage's options. */
function requestFor(files: string[], etag: string): PreprocessRequest {
  return {
    version: 1,
    parts: files.map((file, i) => ({ key: `incoming/scale/dataset/part-${String(i).padStart(5, '0')}.csv`, etag, size: statSync(file).size })),
    profile: {
      source: { bucket: 'mlops-bench-data', key: 'incoming/scale/dataset/', etag },
      dialect: { delimiter: ',', delimiterSource: 'detected', header: false, headerSource: 'detected' },
      naValues: [...DEFAULT_NA_VALUES],
      drop: [],
      target: 'last',
      problemType: 'regression',
      columnNames: COLUMNS,
      maxClasses: 100,
      ratios: [70, 15, 15],
      seed: 42,
    },
    overrides: {},
  };
}

/** Where a container path is under an instance's base dir (containers/preprocess localPath). */
const local = (base: string, containerPath: string) => join(base, containerPath.replace(/^\/opt\/ml\//, ''));

/** GNU time's %M is the process's peak RSS in KB (wait4's ru_maxrss); checked once, else /proc polling. */
function timeWorks(dir: string): boolean {
  if (!existsSync(TIME)) return false;
  const out = join(dir, 'time-probe.txt');
  const probe = spawnSync(TIME, ['-f', '%M %U %S', '-o', out, process.execPath, '-e', 'Buffer.alloc(64 << 20).fill(1)']);
  if (probe.status !== 0 || !existsSync(out)) return false;
  const kb = Number(readFileSync(out, 'utf8').trim().split(/\s+/)[0]);
  // A 64 MiB buffer touched: the peak must be above it (some builds of GNU time reported 4× too much).
  return kb > 64 * 1024 && kb < 4 * 64 * 1024;
}

/** Runs one instance's job; peak RSS from /usr/bin/time, or the highest VmHWM seen in /proc while it runs. */
function runInstance(mode: 'profile' | 'split', base: string, host: string, parts: number, bytes: number, useTime: boolean): Promise<InstanceRun> {
  const timeFile = join(base, `time-${mode}.txt`);
  // The image's environment (containers/preprocess/Dockerfile).
  const env = { ...process.env, SAGEMAKER_BASE_DIR: base, NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps' };
  const command = useTime ? TIME : process.execPath;
  const args = useTime ? ['-f', '%M %U %S', '-o', timeFile, process.execPath, PROGRAM, mode] : [PROGRAM, mode];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: base, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hwmKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          try {
            const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (match) hwmKb = Math.max(hwmKb, Number(match[1]));
          } catch {
            // exited between two polls
          }
        }, 50);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`preprocess ${mode} on ${host} exited with ${code}: ${stderr.slice(-2000)}`));
      let maxRssMb = hwmKb / 1024;
      let cpuSeconds: number | undefined;
      if (useTime) {
        const [kb, user, system] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
        maxRssMb = kb! / 1024;
        cpuSeconds = user! + system!;
      }
      resolve({ host, parts, bytes, ms, mbPerSecond: bytes / 1e6 / (ms / 1000), maxRssMb, ...(cpuSeconds === undefined ? {} : { cpuSeconds }), line: stdout.trim() });
    });
  });
}

async function runPhase(mode: 'profile' | 'split', bases: { base: string; host: string; parts: number; bytes: number }[], useTime: boolean): Promise<PhaseRun> {
  const start = performance.now();
  const instances = await Promise.all(bases.map((b) => runInstance(mode, b.base, b.host, b.parts, b.bytes, useTime)));
  return { wallMs: performance.now() - start, instances };
}

/** One instance count: lay out the instances' roots, profile, merge, split, count. */
async function runInstances(n: number, root: string, files: string[], request: PreprocessRequest, useTime: boolean): Promise<{ run: ScaleRun; schema: SchemaDocument }> {
  rmSync(root, { recursive: true, force: true });
  const hosts = Array.from({ length: n }, (_, i) => `algo-${i + 1}`);
  const bases = hosts.map((host, h) => {
    const base = join(root, host);
    mkdirSync(join(base, 'config'), { recursive: true });
    writeFileSync(join(base, 'config/resourceconfig.json'), JSON.stringify({ current_host: host, hosts }));
    const requestDir = local(base, PROCESSING_PATHS.request);
    mkdirSync(requestDir, { recursive: true });
    writeFileSync(join(requestDir, 'request.json'), JSON.stringify(request));
    // ShardedByS3Key: the i-th object in key order goes to instance (i mod N) + 1. Hard links: no copy.
    const partsDir = local(base, PROCESSING_PATHS.parts);
    mkdirSync(partsDir, { recursive: true });
    const shard = files.filter((_, i) => i % n === h);
    for (const file of shard) linkSync(file, join(partsDir, file.slice(file.lastIndexOf('/') + 1)));
    return { base, host, parts: shard.length, bytes: shard.reduce((sum, f) => sum + statSync(f).size, 0) };
  });

  const start = performance.now();
  const profile = await runPhase('profile', bases, useTime);
  const mergeStart = performance.now();
  const states = bases.map(({ base, host }) => ProfileStateSchema.parse(JSON.parse(readFileSync(join(local(base, PROCESSING_PATHS.profiles), `profile-${host}.json`), 'utf8'))));
  const merged = Profiler.merged(states, request.profile).schema();
  // As mlops_ingest's merge step writes it: the dataset's marker names its number of parts.
  const schema: SchemaDocument = { ...merged, source: { ...merged.source, parts: request.parts.length } };
  for (const { base } of bases) {
    const dir = local(base, PROCESSING_PATHS.schema);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema, null, 2));
  }
  const mergeMs = performance.now() - mergeStart;
  const split = await runPhase('split', bases, useTime);
  const totalMs = performance.now() - start;

  let countedRows = 0;
  let outputBytes = 0;
  for (const { base, host } of bases) {
    const output = local(base, PROCESSING_PATHS.output);
    const counts = JSON.parse(readFileSync(join(output, 'counts', `${host}.json`), 'utf8')) as { rows: Record<string, number> };
    countedRows += Object.values(counts.rows).reduce((a, b) => a + b, 0);
    for (const channel of ['train', 'validation', 'test']) {
      const dir = join(output, channel);
      if (existsSync(dir)) for (const f of readdirSync(dir)) outputBytes += statSync(join(dir, f)).size;
    }
  }
  // The channel files are as large as the input: gone before the next instance count.
  rmSync(root, { recursive: true, force: true });
  return { run: { profile, mergeMs, split, totalMs, countedRows, schemaRows: schema.rows, outputBytes }, schema };
}

/** The Lambda path's throughput from section 4's last figures (bench/results/ingest.json), if there are any. */
function lambdaFigures(): { mbPerS: number; bytes: number; measuredAt: string } | undefined {
  const file = join(RESULTS, 'ingest.json');
  if (!existsSync(file)) return undefined;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { quick: boolean; machine: { date: string }; result: { bytes: number; ingest: { mbPerSecond: number } } };
  return { mbPerS: stored.result.ingest.mbPerSecond, bytes: stored.result.bytes, measuredAt: `${stored.machine.date}${stored.quick ? ' (quick mode)' : ''}` };
}

export async function runScaleBench(options: { megabytes: number; runs: number; log?: (line: string) => void }): Promise<ScaleBenchResult> {
  const log = options.log ?? (() => undefined);
  const built = spawnSync(process.execPath, ['build.mjs'], { cwd: CONTAINER, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`containers/preprocess/build.mjs failed: ${built.stderr}`);
  mkdirSync(WORK, { recursive: true });
  const dir = mkdtempSync(join(WORK, 'scale-'));
  try {
    const useTime = timeWorks(dir);
    const generateStart = performance.now();
    const data = abaloneCsvParts(join(dir, 'dataset'), options.megabytes, PARTS);
    const generateMs = performance.now() - generateStart;
    log(`scale: generated ${PARTS} parts, ${(data.bytes / 1e6).toFixed(0)} MB, ${data.rows} rows in ${(generateMs / 1000).toFixed(1)} s; peak RSS by ${useTime ? TIME : '/proc VmHWM'}`);
    const request = requestFor(data.files, 'bench');
    // The parts' pages written back to disk before any measurement, not during the first.
    spawnSync('sync');

    const runsOf = new Map<number, ScaleRun[]>(INSTANCES.map((n) => [n, []]));
    const schemas = new Map<number, SchemaDocument>();
    for (let r = 0; r < options.runs; r++) {
      // Alternate the order (1, 2 / 2, 1 / ...) so that a drift in the machine's speed does not favour one count.
      for (const n of r % 2 === 0 ? INSTANCES : [...INSTANCES].reverse()) {
        const { run, schema } = await runInstances(n, join(dir, `instances-${n}`), data.files, request, useTime);
        runsOf.get(n)!.push(run);
        if (!schemas.has(n)) schemas.set(n, schema);
        log(`scale: ${n} instance(s), run ${r + 1}: profile ${(run.profile.wallMs / 1000).toFixed(1)} s, merge ${run.mergeMs.toFixed(0)} ms, split ${(run.split.wallMs / 1000).toFixed(1)} s; ${run.countedRows} rows counted of ${data.rows}`);
        if (run.countedRows !== data.rows) throw new Error(`${n} instance(s): counts/*.json sum to ${run.countedRows} rows, ${data.rows} were generated`);
      }
    }

    const cases: ScaleCase[] = [];
    for (const n of INSTANCES) {
      const runs = runsOf.get(n)!;
      const all = (phase: 'profile' | 'split') => runs.flatMap((run) => run[phase].instances);
      const both = runs.flatMap((run) => run.profile.instances.map((p, i) => p.bytes / 1e6 / ((p.ms + run.split.instances[i]!.ms) / 1000)));
      const totalMs = median(runs.map((run) => run.totalMs));
      cases.push({
        instances: n,
        runs,
        profileMs: median(runs.map((run) => run.profile.wallMs)),
        mergeMs: median(runs.map((run) => run.mergeMs)),
        splitMs: median(runs.map((run) => run.split.wallMs)),
        totalMs,
        mbPerSecond: data.bytes / 1e6 / (totalMs / 1000),
        instanceMbPerSecond: { profile: median(all('profile').map((i) => i.mbPerSecond)), split: median(all('split').map((i) => i.mbPerSecond)), both: median(both) },
        maxRssMb: { profile: Math.max(...all('profile').map((i) => i.maxRssMb)), split: Math.max(...all('split').map((i) => i.maxRssMb)) },
        countsMatch: runs.every((run) => run.countedRows === data.rows),
        outputBytes: runs[0]!.outputBytes,
      });
    }
    const [first, ...others] = INSTANCES.map((n) => schemas.get(n)!);
    const schemasAgree = others.every((s) => JSON.stringify(s.rows) === JSON.stringify(first!.rows) && JSON.stringify(s.split.edges) === JSON.stringify(first!.split.edges));
    if (!schemasAgree) throw new Error(`the merged schemas differ between instance counts: ${[first!, ...others].map((s) => JSON.stringify({ rows: s.rows, edges: s.split.edges })).join(' vs ')}`);
    const one = cases[0]!;
    const two = cases[1]!;
    const single = one.runs.map((run) => run.profile.instances[0]!);
    const singleSplit = one.runs.map((run) => run.split.instances[0]!);
    const aws = projectAws({
      profileMbPerS: median(single.map((i) => i.mbPerSecond)),
      splitMbPerS: median(singleSplit.map((i) => i.mbPerSecond)),
      mergeS: Math.max(...cases.map((c) => c.mergeMs)) / 1000,
      outputRatio: one.outputBytes / data.bytes,
      parts: PARTS,
      lambda: lambdaFigures(),
    });
    return {
      generatedAt: new Date().toISOString(),
      megabytes: options.megabytes,
      parts: PARTS,
      bytes: data.bytes,
      rows: data.rows,
      generateMs,
      peakRss: useTime ? `${TIME} -f %M (the process's ru_maxrss)` : '/proc/<pid>/status VmHWM, polled every 50 ms',
      cases,
      speedup: { profile: one.profileMs / two.profileMs, split: one.splitMs / two.splitMs, total: one.totalMs / two.totalMs },
      schemasAgree,
      schema: { rows: first!.rows, edges: first!.split.edges, featureCount: first!.featureCount },
      aws,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
