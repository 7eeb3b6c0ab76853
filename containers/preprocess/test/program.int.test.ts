// Runs the real bundle as the offline SageMaker runs the image's ENTRYPOINT: `node dist/preprocess.js
// <mode>` with the instance's root in SAGEMAKER_BASE_DIR.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROCESSING_PATHS } from '@mlops/common';
import { Profiler, ProfileStateSchema } from '@mlops/mlops_ingest/processing';
import { type ProgramResult, runNodeProgram } from '@mlops/testing';
import { localPath } from '../src/preprocess';
import { CLASSES_HEADER, classes, instanceRoot, removeRoots, shard } from './helpers';

const packageDir = path.resolve(__dirname, '..');

function runProgram(mode: string, root: string): Promise<ProgramResult> {
  return runNodeProgram(['dist/preprocess.js', mode], { cwd: packageDir, env: { SAGEMAKER_BASE_DIR: root } });
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['build.mjs'], { cwd: packageDir });
});
afterAll(removeRoots);

const hosts = ['algo-1', 'algo-2'];

it('profiles and splits each instance, one line of counts each', async () => {
  const { parts, request } = classes(4);
  const shards = shard(parts, 2);
  const profileRoots = await Promise.all(hosts.map((host, i) => instanceRoot(host, hosts, request, shards[i]!)));
  const profiled = await Promise.all(profileRoots.map((root) => runProgram('profile', root)));
  expect(profiled).toEqual([
    { code: 0, stdout: 'profile: 240 rows, 2 parts, host algo-1\n', stderr: '' },
    { code: 0, stdout: 'profile: 240 rows, 2 parts, host algo-2\n', stderr: '' },
  ]);

  const states = await Promise.all(
    profileRoots.map(async (root, i) => ProfileStateSchema.parse(JSON.parse(await readFile(path.join(localPath(root, PROCESSING_PATHS.profiles), `profile-${hosts[i]}.json`), 'utf8')))),
  );
  const schema = Profiler.merged(states, request.profile).schema();
  const splitRoots = await Promise.all(hosts.map((host, i) => instanceRoot(host, hosts, request, shards[i]!, schema)));
  const split = await Promise.all(splitRoots.map((root) => runProgram('split', root)));
  expect(split.map((r) => [r.code, r.stderr])).toEqual([
    [0, ''],
    [0, ''],
  ]);
  const counted = split.map((r) => /^split: train=(\d+) validation=(\d+) test=(\d+) rows, 2 parts, host (algo-\d)\n$/.exec(r.stdout));
  expect(counted.map((m) => m?.[4])).toEqual(hosts);
  expect(counted.reduce((n, m) => n + Number(m![1]) + Number(m![2]) + Number(m![3]), 0)).toBe(480);
});

it('fails with exit code 1 and the reason in output/message and on stderr', async () => {
  const { parts, request } = classes(4);
  parts[3]!.text = parts[3]!.text.replace(CLASSES_HEADER, 'width,height,colour');
  const root = await instanceRoot('algo-2', hosts, request, shard(parts, 2)[1]!);
  const result = await runProgram('profile', root);

  const message = await readFile(path.join(root, 'output/message'), 'utf8');
  expect(message).toMatch(/^part shapes\/part-00003\.csv has other columns than part shapes\/part-00001\.csv: /);
  expect(result).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
});
