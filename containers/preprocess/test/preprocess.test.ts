import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PROCESSING_PATHS, SplitCountsSchema, type SplitCounts } from '@mlops/common';
import {
  CHANNELS,
  FileChannelWriter,
  NotPlainCsvError,
  Profiler,
  ProfileStateSchema,
  profileParts,
  splitParts,
  type PreprocessRequest,
  type ProfileState,
  type SchemaDocument,
} from '@mlops/mlops_ingest/processing';
import { clipUtf8, localPath, runMode, runProfile, runSplit, shardParts } from '../src/preprocess';
import { CLASSES_HEADER, abalone, classes, datasetParts, instanceChannels, instanceRoot, referenceChannels, removeRoots, shard, sortedChannels, tempDir, type Part } from './helpers';

afterEach(removeRoots);

const hostsOf = (count: number) => Array.from({ length: count }, (_, i) => `algo-${i + 1}`);

/** Runs `profile` on each instance (parts dealt i mod instances) and reads back the states they wrote, in host order. */
async function profileInstances(parts: Part[], request: PreprocessRequest, instances: number): Promise<ProfileState[]> {
  const hosts = hostsOf(instances);
  const shards = shard(parts, instances);
  return Promise.all(
    hosts.map(async (host, i) => {
      const root = await instanceRoot(host, hosts, request, shards[i]!);
      await runProfile(root);
      const file = path.join(localPath(root, PROCESSING_PATHS.profiles), `profile-${host}.json`);
      return ProfileStateSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    }),
  );
}

/** Runs `split` on each instance with the merged schema; their roots and counts. */
async function splitInstances(parts: Part[], request: PreprocessRequest, schema: SchemaDocument, instances: number): Promise<{ roots: string[]; counts: SplitCounts[] }> {
  const hosts = hostsOf(instances);
  const shards = shard(parts, instances);
  const roots = await Promise.all(hosts.map((host, i) => instanceRoot(host, hosts, request, shards[i]!, schema)));
  await Promise.all(roots.map((root) => runSplit(root)));
  const counts = await Promise.all(
    roots.map(async (root, i) => SplitCountsSchema.parse(JSON.parse(await readFile(path.join(localPath(root, PROCESSING_PATHS.output), 'counts', `${hosts[i]}.json`), 'utf8')))),
  );
  return { roots, counts };
}

/** The schema with every column's mean out, and the means apart: a mean merged by weights is not bit-identical to a running one. */
function splitMeans(schema: SchemaDocument): { rest: SchemaDocument; means: (number | undefined)[] } {
  const means = schema.columns.map((c) => c.mean);
  return { rest: { ...schema, columns: schema.columns.map(({ mean: _mean, ...c }) => c) }, means };
}

function expectSameSchema(actual: SchemaDocument, expected: SchemaDocument): void {
  const a = splitMeans(actual);
  const e = splitMeans(expected);
  expect(a.rest).toEqual(e.rest);
  a.means.forEach((mean, i) => {
    const want = e.means[i];
    if (want === undefined) return expect(mean).toBeUndefined();
    expect(Math.abs(mean! - want)).toBeLessThanOrEqual(1e-9 * Math.abs(want));
  });
}

const sum = (counts: SplitCounts[]) => Object.fromEntries(CHANNELS.map((c) => [c, counts.reduce((n, k) => n + k.rows[c], 0)]));

describe.each([
  ['abalone (no header, regression)', () => abalone(7)],
  ['a classification CSV with a header', () => classes(5)],
])('%s on 2 instances', (_, dataset) => {
  it('profiles into states whose merge is the schema of one pass over all parts', async () => {
    const { parts, request } = dataset();
    const states = await profileInstances(parts, request, 2);
    expect(states.map((s) => s.parts)).toEqual(shard(parts, 2).map((s) => s.map((p) => p.name)));

    const merged = Profiler.merged(states, request.profile).schema();
    const single = await profileParts(await datasetParts(parts), request.profile);
    expect(single.plain).toBe(true);
    expectSameSchema(merged, single.profiler.schema());
    expect(merged.columns.some((c) => c.type === 'categorical')).toBe(true);
  });

  it('splits into the channels one splitParts over all parts writes, counts summing to the schema', async () => {
    const { parts, request } = dataset();
    const schema = Profiler.merged(await profileInstances(parts, request, 2), request.profile).schema();
    const { roots, counts } = await splitInstances(parts, request, schema, 2);

    const reference = await referenceChannels(await datasetParts(parts), schema, true);
    const { channels, files } = await instanceChannels(roots);
    expect(channels).toEqual(sortedChannels(reference.channels));
    expect(files).toEqual(CHANNELS.flatMap((c) => [`${c}/${c}-algo-1.csv`, `${c}/${c}-algo-2.csv`]).sort());
    expect(counts.map((c) => c.host)).toEqual(['algo-1', 'algo-2']);
    expect(sum(counts)).toEqual(schema.rows);
    expect(reference.rows).toEqual(schema.rows);
  });
});

describe('a part with other columns', () => {
  it('fails the profile with a message naming the part, in output/message, exit code 1', async () => {
    const { parts, request } = classes(4);
    parts[3]!.text = parts[3]!.text.replace(CLASSES_HEADER, 'width,height,color,shape');
    // algo-2 reads parts 1 and 3: the second part's header is checked against its first.
    const root = await instanceRoot('algo-2', hostsOf(2), request, shard(parts, 2)[1]!);
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    expect(await runMode('profile', root)).toBe(1);
    const message = await readFile(path.join(root, 'output/message'), 'utf8');
    expect(message).toBe(
      'part shapes/part-00003.csv has other columns than part shapes/part-00001.csv: its header is width,height,color,shape, the first part\'s width,height,colour,shape; every part of a dataset has the same header',
    );
    expect(stderr).toHaveBeenCalledWith(message);
    stderr.mockRestore();
  });
});

describe('a quoted part', () => {
  it('falls back to csv-parse and gives the same channels', async () => {
    const { parts, request } = classes(4);
    parts[2]!.text = parts[2]!.text.replace(/,(red|green|blue),/g, ',"$1",');
    const quoted = await datasetParts([parts[2]!]);
    const states = await profileInstances(parts, request, 2);
    const schema = Profiler.merged(states, request.profile).schema();
    const single = await profileParts(await datasetParts(parts), request.profile);
    expect(single.plain).toBe(false);
    expectSameSchema(schema, single.profiler.schema());
    // The plain pass does reject the quoted part: the split below does fall back.
    const dir = await tempDir('preprocess-plain-');
    await expect(splitParts(quoted, schema, true, (c) => new FileChannelWriter(path.join(dir, `${c}.csv`)))).rejects.toThrow(NotPlainCsvError);
    expect(await readdir(dir)).toEqual([]);

    const { roots, counts } = await splitInstances(parts, request, schema, 2);
    const reference = await referenceChannels(await datasetParts(parts), schema, false);
    expect((await instanceChannels(roots)).channels).toEqual(sortedChannels(reference.channels));
    expect(sum(counts)).toEqual(schema.rows);
  });
});

describe('an instance with no parts', () => {
  it('profiles an empty state that the merge ignores, and splits into no channel file and zero counts', async () => {
    const { parts, request } = abalone(2);
    const states = await profileInstances(parts, request, 3);
    expect(states[2]).toMatchObject({ parts: [], first: null, dataRows: 0 });
    const schema = Profiler.merged(states, request.profile).schema();
    expect(schema).toEqual(Profiler.merged(states.slice(0, 2), request.profile).schema());

    const { roots, counts } = await splitInstances(parts, request, schema, 3);
    expect(counts[2]).toEqual({ host: 'algo-3', rows: { train: 0, validation: 0, test: 0 } });
    expect((await instanceChannels([roots[2]!])).files).toEqual([]);
    expect(sum(counts)).toEqual(schema.rows);
  });
});

describe('the contract', () => {
  it('reads the shard recursively in S3 key order, named by path below parts/', async () => {
    const parts = ['b.csv', 'a/z.csv', 'a-b.csv', 'a/b/c.csv', 'é.csv', 'Z.csv'].map((name) => ({ name, text: 'x\n' }));
    const root = await instanceRoot('algo-1', ['algo-1'], abalone(1).request, parts);
    expect((await shardParts(root)).map((p) => p.name)).toEqual(['Z.csv', 'a-b.csv', 'a/b/c.csv', 'a/z.csv', 'b.csv', 'é.csv']);
  });

  it('names the host algo-1 without a resource config, and rejects an unknown mode', async () => {
    const { parts, request } = abalone(1);
    const root = await instanceRoot('algo-1', ['algo-1'], request, parts);
    await rm(path.join(root, 'config'), { recursive: true });
    expect((await runProfile(root)).host).toBe('algo-1');

    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runMode('train', root)).toBe(1);
    expect(await readFile(path.join(root, 'output/message'), 'utf8')).toBe("Error: usage: preprocess.js profile|split (got 'train')");
    stderr.mockRestore();
  });

  it('words an invalid request by its container path', async () => {
    const { parts, request } = abalone(1);
    const root = await instanceRoot('algo-1', ['algo-1'], { ...request, version: 2 } as unknown as PreprocessRequest, parts);
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runMode('profile', root)).toBe(1);
    expect(await readFile(path.join(root, 'output/message'), 'utf8')).toMatch(/^Error: \/opt\/ml\/processing\/input\/request\/request\.json is not valid: version: /);
    stderr.mockRestore();
  });

  it('clips a message to 1024 bytes of UTF-8 without cutting a character', () => {
    expect(clipUtf8('abc')).toBe('abc');
    const clipped = clipUtf8(`a${'é'.repeat(600)}`);
    expect(Buffer.byteLength(clipped)).toBe(1023);
    expect(clipped).toBe(`a${'é'.repeat(511)}`);
  });
});
