import { hostName, hostPath, mapContainerPaths, resourceConfig } from '../src/contract';
import { InstanceCancelled, JobFailed, runOnInstances } from '../src/jobs';
import { shardByS3Key } from '../src/s3';

const objects = (...keys: string[]) => keys.map((key) => ({ key }));

describe('shardByS3Key', () => {
  it('sorts the keys and deals them round-robin: object i goes to instance (i mod n) + 1', () => {
    const all = objects('p/e', 'p/a', 'p/d', 'p/b', 'p/c');
    expect(shardByS3Key(all, 2, 0).map((o) => o.key)).toEqual(['p/a', 'p/c', 'p/e']);
    expect(shardByS3Key(all, 2, 1).map((o) => o.key)).toEqual(['p/b', 'p/d']);
    expect(shardByS3Key(all, 1, 0).map((o) => o.key)).toEqual(['p/a', 'p/b', 'p/c', 'p/d', 'p/e']);
  });

  it('orders keys by bytes, as S3 lists them', () => {
    expect(shardByS3Key(objects('b', 'B', 'a10', 'a9'), 4, 0).map((o) => o.key)).toEqual(['B']);
    expect(shardByS3Key(objects('b', 'B', 'a10', 'a9'), 4, 1).map((o) => o.key)).toEqual(['a10']);
  });

  it('leaves the last instances without data when there are fewer objects than instances', () => {
    expect(shardByS3Key(objects('only'), 3, 0)).toEqual([{ key: 'only' }]);
    expect(shardByS3Key(objects('only'), 3, 1)).toEqual([]);
    expect(shardByS3Key(objects('only'), 3, 2)).toEqual([]);
  });

  it('gives every object to exactly one instance', () => {
    const all = objects(...Array.from({ length: 23 }, (_, i) => `k/${i}`));
    const shards = [0, 1, 2, 3].map((i) => shardByS3Key(all, 4, i).map((o) => o.key));
    expect(shards.flat().sort()).toEqual(all.map((o) => o.key).sort());
    expect(shards.map((s) => s.length)).toEqual([6, 6, 6, 5]);
  });
});

describe('runOnInstances', () => {
  it('runs every instance at once', async () => {
    let running = 0;
    let peak = 0;
    await runOnInstances(3, new AbortController().signal, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
    });
    expect(peak).toBe(3);
  });

  it('cancels the other instances once one fails, waits for them, and throws the first failure', async () => {
    const ended: number[] = [];
    const run = runOnInstances(3, new AbortController().signal, async ({ index, signal }) => {
      if (index === 1) throw new JobFailed('AlgorithmError: algo-2 failed');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      ended.push(index);
      throw new InstanceCancelled();
    });
    await expect(run).rejects.toThrow('AlgorithmError: algo-2 failed');
    expect(ended.sort()).toEqual([0, 2]);
  });

  it('passes the job’s stop on to every instance', async () => {
    const job = new AbortController();
    const seen: boolean[] = [];
    const run = runOnInstances(2, job.signal, async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      seen.push(signal.aborted);
    });
    job.abort();
    await run;
    expect(seen).toEqual([true, true]);
  });
});

describe('the container paths of an instance', () => {
  it('maps /opt/ml paths into the instance root and leaves the rest', () => {
    expect(hostPath('/w/job/algo-1', '/opt/ml/processing/input')).toBe('/w/job/algo-1/processing/input');
    expect(hostPath('/w/job/algo-1', '/opt/ml')).toBe('/w/job/algo-1');
    expect(hostPath('/w/job/algo-1', '/opt/mlx')).toBeUndefined();
    expect(hostPath('/w/job/algo-1', '/opt/ml/../../etc')).toBeUndefined();
    expect(mapContainerPaths('/r', ['python3', '/opt/ml/processing/code/run.py', '--out', '/opt/ml/processing/output', 'x=/opt/ml'])).toEqual([
      'python3',
      '/r/processing/code/run.py',
      '--out',
      '/r/processing/output',
      'x=/opt/ml',
    ]);
  });

  it('names hosts algo-1.. and writes each host’s resourceconfig.json', () => {
    expect([0, 1, 2].map(hostName)).toEqual(['algo-1', 'algo-2', 'algo-3']);
    expect(resourceConfig('ml.m5.large', 'algo-2', ['algo-1', 'algo-2'])).toEqual({
      current_host: 'algo-2',
      current_instance_type: 'ml.m5.large',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1', 'algo-2'],
      instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: 'ml.m5.large', hosts: ['algo-1', 'algo-2'] }],
      network_interface_name: 'eth0',
    });
  });
});
