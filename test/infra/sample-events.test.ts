/**
 * Every sample event (services/<fn>/events/*.json for the offline stack, events/dev/*.json for the
 * dev stage) is a valid input of its function: its zod contract accepts it, and a run's id is the
 * one ingest derives from the run's upload. The dev samples name only dev's resources (the `mlops-dev`
 * prefix, the bucket as serverless.yml's bucketNamePattern names it for the documented account and
 * region), and docs/DEPLOYING.md invokes each of them on its own function with `sls invoke --stage dev`,
 * with placeholders that match the samples. test/e2e/sample-events.e2e.test.ts invokes the offline
 * samples against the offline stack.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AwaitInputSchema,
  BatchInputSchema,
  DeployInputSchema,
  EvalInputSchema,
  IngestEventSchema,
  RecordInputSchema,
  RegisterInputSchema,
  runIdFor,
  TrainInputSchema,
} from '@mlops/common';
import { projectRoot } from '@mlops/serverless-config';

const root = projectRoot();
const SCHEMAS = {
  mlops_ingest: IngestEventSchema,
  mlops_train: TrainInputSchema,
  mlops_await: AwaitInputSchema,
  mlops_batch: BatchInputSchema,
  mlops_eval: EvalInputSchema,
  mlops_register: RegisterInputSchema,
  mlops_deploy: DeployInputSchema,
  mlops_record: RecordInputSchema,
} as const;
type Fn = keyof typeof SCHEMAS;
const FUNCTIONS = Object.keys(SCHEMAS) as Fn[];

/** The documented placeholders of the dev samples (docs/DEPLOYING.md, "Sample events on dev"). */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SAMPLE_ETAG = createHash('md5').update(readFileSync(join(root, 'data/abalone.csv'))).digest('hex');

/** The dev bucket as serverless.yml names it: custom.bucketNamePattern for service mlops, stage dev. */
function devBucket(account = ACCOUNT, region = REGION): string {
  const pattern = /^ {2}bucketNamePattern: (.+)$/m.exec(readFileSync(join(root, 'serverless.yml'), 'utf8'))?.[1];
  if (!pattern) throw new Error('serverless.yml has no custom.bucketNamePattern');
  return pattern.replace('${self:service}', 'mlops').replace('${sls:stage}', 'dev').replace('${AWS::AccountId}', account).replace('${AWS::Region}', region);
}

const samplesIn = (fn: Fn, sub = '') => {
  const dir = join(root, 'services', fn, 'events', sub);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join('services', fn, 'events', sub, e.name)) : [];
};
const all = FUNCTIONS.flatMap((fn) => [...samplesIn(fn), ...samplesIn(fn, 'dev')].map((path) => [fn, path] as const));
const dev = FUNCTIONS.flatMap((fn) => samplesIn(fn, 'dev').map((path) => [fn, path] as const));
const load = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as unknown;

const strings = (node: unknown): string[] => (typeof node === 'string' ? [node] : Array.isArray(node) ? node.flatMap(strings) : node && typeof node === 'object' ? Object.values(node).flatMap(strings) : []);
/** The runs a sample carries (a pipeline input as `run`, or a record's `state`) with their upload. */
const runsOf = (event: any): { runId: string; source: { bucket: string; key: string; etag: string } }[] => [event?.run, event?.state].filter((r) => r?.runId && r?.source);

/** Why a sample is not a dev sample (empty: it is one). */
function devViolations(event: unknown, bucket = devBucket(), account = ACCOUNT, region = REGION): string[] {
  const found: string[] = [];
  for (const s of strings(event)) {
    for (const [, prefix] of s.matchAll(/\bmlops-([a-z0-9]+)/g)) if (prefix !== 'dev') found.push(`${s}: mlops-${prefix} is not the dev prefix`);
    for (const [, name] of s.matchAll(/s3:\/\/([^/]+)\//g)) if (name !== bucket) found.push(`${s}: bucket ${name}`);
    for (const [, name] of s.matchAll(/^arn:aws:s3:::([^/]+)/g)) if (name !== bucket) found.push(`${s}: bucket ${name}`);
    for (const [, service, r, a] of s.matchAll(/^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d*):/g)) if (service !== 's3' && (r !== region || a !== account)) found.push(`${s}: region ${r}, account ${a}`);
  }
  const e = event as any;
  for (const record of e?.Records ?? []) if (record?.s3?.bucket?.name !== bucket) found.push(`record bucket ${record?.s3?.bucket?.name}`);
  for (const run of runsOf(e)) if (run.source.bucket !== bucket) found.push(`run bucket ${run.source.bucket}`);
  return found;
}

describe('sample events', () => {
  it('exist for every function, for the offline stack and for dev', () => {
    for (const fn of FUNCTIONS) {
      expect({ fn, local: samplesIn(fn).length > 0, dev: samplesIn(fn, 'dev').length > 0 }).toEqual({ fn, local: true, dev: true });
    }
  });

  it.each(all)('%s accepts %s', (fn, path) => {
    const parsed = SCHEMAS[fn].safeParse(load(path));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it.each(all.filter(([, path]) => runsOf(load(path)).length > 0))('%s: %s names its run by the id ingest derives from the upload', (_fn, path) => {
    const event = load(path);
    for (const run of runsOf(event)) {
      expect(run.runId).toBe(runIdFor(run.source));
      // Every job, model, execution or prefix that names a run names this one.
      for (const s of strings(event)) for (const [id] of s.matchAll(/\babalone-[0-9a-f]{10}\b/g)) expect({ s, id }).toEqual({ s, id: run.runId });
    }
  });

  it.each(dev)('%s: %s names only dev resources', (_fn, path) => {
    expect(devViolations(load(path))).toEqual([]);
  });

  it('tells an offline sample from a dev one', () => {
    for (const fn of FUNCTIONS) for (const path of samplesIn(fn).filter((p) => !p.includes('retrain'))) expect({ path, violations: devViolations(load(path)).length > 0 }).toEqual({ path, violations: true });
    expect(devViolations({ name: 'mlops-prod-abalone' })).toEqual(['mlops-prod-abalone: mlops-prod is not the dev prefix']);
    expect(devViolations({ uri: `s3://mlops-dev-data-${ACCOUNT}-eu-west-1/runs/x/` })).toHaveLength(1);
    expect(devViolations({ arn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-dev-pipeline:x' })).toHaveLength(1);
  });

  it("uses the run that uploading data/abalone.csv to the documented account's dev bucket starts", () => {
    expect(runIdFor({ bucket: devBucket(), key: 'incoming/abalone.csv', etag: SAMPLE_ETAG })).toBe('abalone-27c7bb8dff');
    for (const [, path] of dev) for (const run of runsOf(load(path))) expect(run).toMatchObject({ runId: 'abalone-27c7bb8dff', source: { bucket: devBucket(), key: 'incoming/abalone.csv', etag: SAMPLE_ETAG } });
  });
});

describe('docs/DEPLOYING.md, "Sample events on dev"', () => {
  const doc = readFileSync(join(root, 'docs/DEPLOYING.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Sample events on dev'), doc.indexOf('\n## ', doc.indexOf('## Sample events on dev') + 1));
  const invocations = [...section.matchAll(/^pnpm exec sls invoke --stage dev (?:--region "\$REGION" )?-f (\S+) (?:-p (\S+)|-d "\$\(dev_event (\S+)\)")/gm)].map((m) => ({ fn: m[1]!, path: (m[2] ?? m[3])!, rendered: m[3] !== undefined }));

  it('invokes every dev sample on its own function', () => {
    expect(invocations.map((i) => i.path).sort()).toEqual(dev.map(([, p]) => p).sort());
    for (const i of invocations) expect({ path: i.path, fn: i.path.split('/')[1] }).toEqual({ path: i.path, fn: i.fn });
  });

  it('passes as they are (-p) only the samples that name no account, region or run', () => {
    for (const i of invocations) {
      const text = readFileSync(join(root, i.path), 'utf8');
      const placeholders = [ACCOUNT, REGION, 'abalone-27c7bb8dff'].some((p) => text.includes(p));
      expect({ path: i.path, rendered: i.rendered }).toEqual({ path: i.path, rendered: placeholders });
    }
  });

  it("substitutes exactly the samples' placeholders, and the rendered events stay valid dev events", () => {
    const sed = /dev_event\(\) \{ sed -e "s\/([^/]+)\/\$ACCOUNT\/g" -e "s\/([^/]+)\/\$REGION\/g" -e "s\/([^/]+)\/\$RUN\/g" "\$1"; \}/.exec(section);
    expect(sed?.slice(1)).toEqual([ACCOUNT, REGION, 'abalone-27c7bb8dff']);
    // As the shell would, for another account and region, with the run ingest derives there.
    const [account, region] = ['210987654321', 'eu-west-1'];
    const bucket = devBucket(account, region);
    const run = runIdFor({ bucket, key: 'incoming/abalone.csv', etag: `"${SAMPLE_ETAG}"` });
    for (const i of invocations.filter((x) => x.rendered)) {
      const text = readFileSync(join(root, i.path), 'utf8').split(ACCOUNT).join(account).split(REGION).join(region).split('abalone-27c7bb8dff').join(run);
      const event = JSON.parse(text) as unknown;
      expect(SCHEMAS[i.fn as Fn].safeParse(event).success).toBe(true);
      expect(devViolations(event, bucket, account, region)).toEqual([]);
      for (const r of runsOf(event)) expect(runIdFor(r.source)).toBe(r.runId);
    }
  });
});

describe('README.md, "Package and deploy"', () => {
  it('invokes dev functions with dev samples that exist', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Package and deploy'), readme.indexOf('\n## ', readme.indexOf('## Package and deploy') + 1));
    const lines = [...section.matchAll(/sls invoke --stage dev\b.*-f (\S+) -p (\S+)/g)];
    expect(lines.length).toBeGreaterThan(0);
    for (const [, fn, path] of lines) {
      expect(path).toMatch(new RegExp(`^services/${fn}/events/dev/[^/]+\\.json$`));
      expect(existsSync(join(root, path!))).toBe(true);
    }
  });
});
