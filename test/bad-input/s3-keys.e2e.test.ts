/**
 * Bad keys and bad credentials at the stack's S3, end to end through the AWS CLI v2 as a user
 * would try them: keys S3 accepts (dot segments, a segment longer than any file name) are stored
 * inside the stack's folder under their literal key and drive the S3 trigger exactly as on AWS,
 * whose prefix filter compares the literal key (`incoming/../evil.csv` starts with `incoming/`);
 * keys S3 rejects get S3's error; any credentials work; and no request takes the stack down.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';

const abalone = readFileSync(join(projectRoot(), 'data/abalone.csv'), 'utf8').trim().split('\n');
const valid = `${abalone.slice(0, 40).join('\n')}\n`;
let stack: LocalStack;
let cliDir: string;

async function aws(args: string[], credentials = { id: 'AKIAEXAMPLE', secret: 'secret' }): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: cliDir, AWS_ACCESS_KEY_ID: credentials.id, AWS_SECRET_ACCESS_KEY: credentials.secret, AWS_DEFAULT_REGION: stack.resources.region, AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' };
  try {
    const { stdout, stderr } = await promisify(execFile)('aws', ['--endpoint-url', stack.endpoints.s3, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const upload = (key: string, credentials?: { id: string; secret: string }) => aws(['s3', 'cp', join(cliDir, 'valid.csv'), `s3://${stack.bucket}/${key}`], credentials);
const read = async (key: string) => (await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }))).Body!.transformToString();
const startedRun = (key: string) => ({ result: { runs: [{ runId: expect.any(String), key, executionArn: expect.any(String), status: 'started' }], skipped: [], rejected: [] } });

function rawPut(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const url = new URL(stack.endpoints.s3);
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers: { 'content-length': '1', ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end('x');
  });
}

beforeAll(async () => {
  stack = await startLocalStack({ waitScale: 0.01 });
  cliDir = join(stack.workDir, 'cli');
  mkdirSync(cliDir);
  writeFileSync(join(cliDir, 'valid.csv'), valid);
}, 120_000);

afterAll(async () => {
  if (!stack) return;
  const { executions = [] } = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachine.arn })).catch(() => ({ executions: [] }));
  for (const e of executions) {
    if (e.status === 'RUNNING') await stack.clients.sfn.send(new StopExecutionCommand({ executionArn: e.executionArn!, cause: 'test over' })).catch(() => undefined);
  }
  await stack.close();
}, 60_000);

describe('keys and credentials at the stack S3, through the AWS CLI', () => {
  const evil = 'incoming/../evil.csv';
  const tenUp = `${'../'.repeat(10)}incoming/ten-up.csv`;
  const longSegment = `incoming/${'s'.repeat(241)}.csv`;

  beforeAll(async () => {
    for (const key of [evil, tenUp, longSegment]) expect(await upload(key)).toMatchObject({ code: 0 });
    await stack.settled();
  }, 60_000);

  it('stores dot-segment and long-segment keys under their literal key, inside the stack folder', async () => {
    for (const key of [evil, tenUp, longSegment]) expect(await read(key)).toBe(valid);
    const listed = await aws(['s3api', 'list-objects-v2', '--bucket', stack.bucket, '--query', 'Contents[].Key', '--output', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([evil, tenUp, longSegment]));
    const bucketDir = join(stack.workDir, 's3', stack.bucket);
    // Where s3rver alone wrote them: the bucket's root, and ten folders up.
    expect(existsSync(join(bucketDir, 'evil.csv._S3rver_object'))).toBe(false);
    expect(existsSync(resolve(bucketDir, `${tenUp}._S3rver_object`))).toBe(false);
    expect(readdirSync(join(stack.workDir, 's3'))).toEqual([stack.bucket]);
  });

  it('triggers ingestion with the literal key when it starts with incoming/, as AWS prefix filter does', () => {
    // Ingestion sees `incoming/../evil.csv` literally: its family would be '..', which names none.
    expect(stack.ingestOutcome(evil)).toMatchObject({ result: { runs: [], rejected: [{ key: evil, reason: expect.stringContaining("the family name '..' taken from the key has no letter or digit") }] } });
    expect(stack.ingestOutcome(longSegment)).toMatchObject(startedRun(longSegment));
    // `../…/incoming/ten-up.csv` does not start with `incoming/`.
    expect(stack.ingestOutcome(tenUp)).toBeUndefined();
  });

  it('answers KeyTooLongError for a key over 1,024 bytes and invokes nothing', async () => {
    const before = stack.lambda.stats()['mlops-local-mlops_ingest']!.invocations;
    const tooLong = await upload(`incoming/${'x'.repeat(1012)}.csv`);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toContain('(KeyTooLongError) when calling the PutObject operation: Your key is too long');
    await stack.settled();
    expect(stack.lambda.stats()['mlops-local-mlops_ingest']!.invocations).toBe(before);
  });

  it('lists runs/ and incoming/ in `aws s3 ls` of the bucket', async () => {
    const ls = await aws(['s3', 'ls', `s3://${stack.bucket}/`]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^\s+PRE runs\/$/m);
    expect(ls.stdout).toMatch(/^\s+PRE incoming\/$/m);
  });

  it('takes any credentials, answers a malformed signature with S3 error, and keeps running', async () => {
    const malformed = await rawPut(`/${stack.bucket}/incoming/malformed.csv`, {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE, SignedHeaders=host, Signature=00',
      'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('<Code>AuthorizationHeaderMalformed</Code>');
    expect(await upload(`${'n'.repeat(300)}/${'n'.repeat(300)}`)).toMatchObject({ code: 0 });

    expect(await upload('incoming/after.csv', { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })).toMatchObject({ code: 0 });
    await stack.settled();
    expect(stack.ingestOutcome('incoming/after.csv')).toMatchObject(startedRun('incoming/after.csv'));
    expect(stack.ingestOutcome('incoming/malformed.csv')).toBeUndefined();
  });
});
