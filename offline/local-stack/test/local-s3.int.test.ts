/**
 * The stack's local S3 (src/local-s3.ts: s3rver, the safe store, the front) on the wire, through
 * the real SDK, the AWS CLI v2 and raw HTTP: every key S3 accepts works and stays inside the data
 * folder, keys S3 rejects get S3's error, any credentials work, malformed signatures get S3's
 * error, and no request takes the server down.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { startLocalS3, type LocalS3 } from '../src/local-s3';

const BUCKET = 'mlops-local-data';
const root = mkdtempSync(join(tmpdir(), 'local-s3-'));
const dataDir = join(root, 'data');
/** The CLI's home and the files it uploads. */
const cliDir = join(root, 'cli');
let s3: LocalS3;
let client: S3Client;
const events: string[] = [];

const sdk = (accessKeyId: string, secretAccessKey: string) => new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
const put = (key: string, body: string, c = client) => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const get = async (key: string, c = client) => (await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
async function listAll(prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}
const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected an S3 error'); }, (e: S3ServiceException) => e);

/** Every file under a folder, relative to it. */
const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

/** The AWS CLI v2 (Debian's 2.9.19 reads no AWS_ENDPOINT_URL_*, hence --endpoint-url). */
async function aws(args: string[], credentials = { id: 'AKIAEXAMPLE', secret: 'secret' }): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: cliDir,
    AWS_ACCESS_KEY_ID: credentials.id,
    AWS_SECRET_ACCESS_KEY: credentials.secret,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  try {
    const { stdout, stderr } = await promisify(execFile)('aws', ['--endpoint-url', s3.endpoint, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A raw HTTP request to the front, for what no SDK sends. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const url = new URL(s3.endpoint);
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => done({ status: res.statusCode!, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const amzDate = () => new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
const v4Headers = (authorization: string) => ({ authorization, 'x-amz-date': amzDate(), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
const goodAuthorization = (accessKeyId: string) =>
  `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${amzDate().slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'ab'.repeat(32)}`;
const errorCode = (xml: string) => /<Code>([^<]*)<\/Code><Message>([^<]*)<\/Message>/.exec(xml)?.slice(1, 3);

beforeAll(async () => {
  mkdirSync(dataDir);
  mkdirSync(cliDir);
  s3 = await startLocalS3({ directory: join(dataDir, 's3') });
  s3.onEvent((event) => events.push(...event.Records.map((r) => r.s3.object.key)));
  client = sdk('AKIAEXAMPLE', 'secret');
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

const seg241 = 's'.repeat(241);
const seg1024 = 'm'.repeat(1024);
const tenUp = `${'../'.repeat(10)}ten-up-${process.pid}.csv`;
const LITERAL_KEYS = [
  `dir/${seg241}/file.csv`,
  seg1024,
  'é'.repeat(512), // 1,024 bytes in UTF-8
  'incoming/../evil.csv',
  tenUp,
  './dot/./x',
  'a//b',
  '/leading',
  'trailing/',
  'x._S3rver_object/y',
  'q?a=1#frag %2F+',
];

describe('keys', () => {
  it.each(LITERAL_KEYS.map((k) => [k.length > 60 ? `${k.slice(0, 40)}… (${Buffer.byteLength(k)} bytes)` : k, k]))('round-trips %s through the SDK: put, get, list and event show the literal key', async (_, key) => {
    await put(key, `body of ${key}`);
    expect(await get(key)).toBe(`body of ${key}`);
    expect(await listAll(key)).toEqual([key]);
    expect(events).toContain(key);
  });

  it('keeps every object inside the data folder', () => {
    expect(readdirSync(root).sort()).toEqual(['cli', 'data']);
    expect(readdirSync(dataDir)).toEqual(['s3']);
    const bucketDir = join(dataDir, 's3', BUCKET);
    // Where s3rver used to write the ten-`../` key: the filesystem root (or as high as it got).
    expect(existsSync(resolve(bucketDir, `${tenUp}._S3rver_object`))).toBe(false);
    expect(filesUnder(bucketDir).filter((f) => f.endsWith('._S3rver_object'))).toHaveLength(LITERAL_KEYS.length);
  });

  it('answers KeyTooLongError, as S3 does, for a key over 1,024 bytes, whatever the operation', async () => {
    for (const key of ['k'.repeat(1025), 'é'.repeat(513), `incoming/${'x'.repeat(1116)}`]) {
      const size = Buffer.byteLength(key);
      const error = await failure(put(key, 'x'));
      expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual(['KeyTooLongError', 'Your key is too long', 400]);
      expect(error).toMatchObject({ Size: String(size), MaxSizeAllowed: '1024' });
      expect((await failure(get(key))).name).toBe('KeyTooLongError');
      expect((await failure(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })))).name).toBe('KeyTooLongError');
    }
    expect(existsSync(join(dataDir, 's3', BUCKET, `${'k'.repeat(200)}`))).toBe(false);
  });

  it('lists every CommonPrefix, including one that holds only deeper folders', async () => {
    await put('runs/run-1/data/train.csv', 'x');
    await put('runs/rejected/run-2.json', '{}');
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(expect.arrayContaining(['runs/', 'incoming/', '../', 'dir/', 'a/', '/']));
    const runs = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', Prefix: 'runs/' }));
    expect(runs.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['runs/rejected/', 'runs/run-1/']);
    expect(runs.Contents).toBeUndefined();
  });

  it('pages through a listing in UTF-8 binary order without losing or repeating a key', async () => {
    const keys = ['page/b', 'page/a', 'page/é', 'page/z/1', 'page/𝄞', 'page/ﬀ', 'page/A'];
    for (const key of keys) await put(key, 'x');
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'page/', MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(seen).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('copies, uploads in parts and deletes keys with dot segments, literally', async () => {
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copies/../copy.csv', CopySource: `${BUCKET}/${encodeURIComponent('incoming/../evil.csv')}` }));
    expect(await get('copies/../copy.csv')).toBe('body of incoming/../evil.csv');

    const key = `multi/../${seg241}/part.csv`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'one,two\n' }));
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(done.Key).toBe(key);
    expect(await get(key)).toBe('one,two\n');

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'copies/../copy.csv' }));
    expect(await listAll('copies/')).toEqual([]);
    expect(readdirSync(join(dataDir, 's3', BUCKET))).not.toContain('copies');
    expect(await get('incoming/../evil.csv')).toBe('body of incoming/../evil.csv');
  });
});

describe('the AWS CLI v2', () => {
  it('copies, lists and removes 241- and 1,024-byte-segment keys and dot-segment keys literally', async () => {
    const file = join(cliDir, 'upload.csv');
    writeFileSync(file, 'from the cli\n');
    for (const key of [`cli/${seg241}/x.csv`, `cli/${'c'.repeat(1020)}`, 'cli/incoming/../evil.csv', `cli/${'../'.repeat(10)}up.csv`]) {
      expect(await aws(['s3', 'cp', file, `s3://${BUCKET}/${key}`])).toMatchObject({ code: 0 });
      expect(await get(key)).toBe('from the cli\n');
      const listed = await aws(['s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', key, '--query', 'Contents[].Key', '--output', 'json']);
      expect(JSON.parse(listed.stdout)).toEqual([key]);
      expect(await aws(['s3', 'rm', `s3://${BUCKET}/${key}`])).toMatchObject({ code: 0 });
      expect(await listAll(key)).toEqual([]);
    }
    expect(readdirSync(root).sort()).toEqual(['cli', 'data']);
  });

  it('puts a key with s3api and gets KeyTooLongError past 1,024 bytes', async () => {
    const file = join(cliDir, 'upload.csv');
    expect(await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', `cli/${'p'.repeat(1020)}`, '--body', file])).toMatchObject({ code: 0 });
    const tooLong = await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', `cli/${'p'.repeat(1021)}`, '--body', file]);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toContain('An error occurred (KeyTooLongError) when calling the PutObject operation: Your key is too long');
  });

  it('shows runs/ in `aws s3 ls` of the bucket', async () => {
    const ls = await aws(['s3', 'ls', `s3://${BUCKET}/`]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^\s+PRE runs\/$/m);
    expect(ls.stdout).toMatch(/^\s+PRE incoming\/$/m);
  });
});

describe('credentials', () => {
  it('accepts any access key and secret, from the SDK and the CLI', async () => {
    for (const [id, secret] of [['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'], ['S3RVER', 'S3RVER'], ['anything', 'at-all']] as const) {
      const other = sdk(id, secret);
      await put(`creds/${id}.txt`, id, other);
      expect(await get(`creds/${id}.txt`, other)).toBe(id);
      other.destroy();
      expect(await aws(['s3', 'ls', `s3://${BUCKET}/creds/`], { id, secret })).toMatchObject({ code: 0 });
    }
  });

  it('accepts a well-formed presigned URL with any key', async () => {
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `SOMEONE/${amzDate().slice(0, 8)}/us-east-1/s3/aws4_request`,
      'X-Amz-Date': amzDate(),
      'X-Amz-Expires': '300',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'cd'.repeat(32),
    });
    expect(await raw('GET', `/${BUCKET}/creds/S3RVER.txt?${query}`)).toEqual({ status: 200, body: 'S3RVER' });
  });

  it.each([
    ['Bearer abc', 400, 'InvalidArgument', 'Unsupported Authorization Type'],
    ['AWS AKIAEXAMPLE:c2lnbmF0dXJl', 400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.'],
    ['AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/us-east-1/s3/aws4_request', 400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.'],
    [
      `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/us-east-1/s3, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the Credential is mal-formed; expecting &quot;&lt;YOUR-AKID&gt;/YYYYMMDD/REGION/SERVICE/aws4_request&quot;.',
    ],
    [`AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=, Signature=${'0'.repeat(64)}`, 400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization component &quot;SignedHeaders=&quot; is malformed.'],
    ['AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=not-hex', 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  ])('answers a malformed Authorization header (%s) with S3 error', async (authorization, status, code, message) => {
    const answer = await raw('PUT', `/${BUCKET}/auth/x.txt`, v4Headers(authorization), 'x');
    expect({ status: answer.status, error: errorCode(answer.body) }).toEqual({ status, error: [code, message] });
  });

  it('answers a malformed presigned credential with AuthorizationQueryParametersError', async () => {
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=nobody&X-Amz-Date=${amzDate()}&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;
    const answer = await raw('GET', `/${BUCKET}/creds/S3RVER.txt?${query}`);
    expect(answer.status).toBe(400);
    expect(errorCode(answer.body)?.[0]).toBe('AuthorizationQueryParametersError');
  });

  it('still signs well-formed requests with any key through', async () => {
    expect((await raw('PUT', `/${BUCKET}/auth/ok.txt`, v4Headers(goodAuthorization('WHOEVER')), 'ok')).status).toBe(200);
    expect(await get('auth/ok.txt')).toBe('ok');
  });
});

describe('requests that used to break s3rver', () => {
  const auth = () => v4Headers(goodAuthorization('AKIAEXAMPLE'));

  it('answers each with an S3 error, writes nothing outside the data folder, and keeps serving', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'broken/multi.csv' }));
    const answers = [
      // A part that was never uploaded: s3rver's read stream failed with nobody listening.
      await raw('POST', `/${BUCKET}/broken/multi.csv?uploadId=${UploadId}`, auth(), '<CompleteMultipartUpload><Part><PartNumber>7</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>'),
      // Upload ids and part numbers that are paths.
      await raw('PUT', `/${BUCKET}/broken/x?partNumber=1&uploadId=${encodeURIComponent('../../../../../../../../escape')}`, auth(), 'x'),
      await raw('PUT', `/${BUCKET}/broken/x?partNumber=${encodeURIComponent('../../escape')}&uploadId=${UploadId}`, auth(), 'x'),
      await raw('POST', `/${BUCKET}/broken/x?uploadId=${encodeURIComponent('../../..')}`, auth(), '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>'),
      // A bucket name that is a path, and a malformed escape.
      await raw('PUT', '/%2E%2E/escape.txt', auth(), 'x'),
      await raw('GET', '/../escape.txt', auth()),
      await raw('GET', `/${BUCKET}/bad%ZZescape`, auth()),
      // A segment longer than any file name, the original crash.
      await raw('PUT', `/${BUCKET}/${'n'.repeat(300)}/${'n'.repeat(300)}`, auth(), 'x'),
    ];
    expect(answers.map((a) => [a.status, errorCode(a.body)?.[0]])).toEqual([
      [400, 'InvalidPart'],
      [404, 'NoSuchUpload'],
      [400, 'InvalidArgument'],
      [404, 'NoSuchUpload'],
      [400, 'InvalidBucketName'],
      [400, 'InvalidBucketName'],
      [400, 'InvalidURI'],
      [200, undefined],
    ]);

    // A client that goes away mid-upload.
    await new Promise<void>((done) => {
      const url = new URL(s3.endpoint);
      const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: `/${BUCKET}/broken/aborted.csv`, headers: { ...auth(), 'content-length': '1000000' } });
      req.on('error', () => done());
      req.write('partial', () => setTimeout(() => {
        req.destroy();
        done();
      }, 50));
    });

    const everything = filesUnder(root).filter((f) => !f.startsWith(cliDir + sep));
    expect(everything.every((f) => f.startsWith(join(dataDir, 's3') + sep))).toBe(true);
    expect(everything.some((f) => f.includes('escape'))).toBe(false);
    await put('after/ok.csv', 'still serving');
    expect(await get('after/ok.csv')).toBe('still serving');
  });
});
