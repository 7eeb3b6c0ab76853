import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import * as tar from 'tar';
import { validationException } from './errors';

export interface S3Options {
  /** e.g. http://127.0.0.1:4569 (s3rver) */
  endpoint: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style addressing (default true: local S3 servers need it). */
  forcePathStyle?: boolean;
}

/** What the emulator signs its S3 requests with when the options name none. */
export const DEFAULT_S3_CREDENTIALS: NonNullable<S3Options['credentials']> = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key`, or an https URL in virtual-hosted or path style. */
export function parseS3Uri(uri: string): S3Location {
  let m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m) return { bucket: m[1]!, key: m[2]! };
  m = /^https:\/\/([^/.]+)\.s3[.-][^/]*amazonaws\.com(?:\.cn)?\/?(.*)$/.exec(uri);
  if (m) return { bucket: m[1]!, key: decodeURIComponent(m[2]!) };
  m = /^https:\/\/s3[.-][^/]*amazonaws\.com(?:\.cn)?\/([^/]+)\/?(.*)$/.exec(uri);
  if (m) return { bucket: m[1]!, key: decodeURIComponent(m[2]!) };
  throw new Error(`not an S3 URI: ${uri}`);
}

/**
 * Whether a key has `.` or `..` path segments. S3 keeps such keys literally, but a local S3 stores
 * objects as files, where they would resolve to another key or outside its storage folder.
 */
export function hasDotSegment(key: string): boolean {
  return key.split(/[/\\]/).some((segment) => segment === '.' || segment === '..');
}

/**
 * Rejects at Create* time, naming the request member as AWS's validation does, an S3 URI whose key
 * local-sagemaker cannot store safely. (URIs that do not parse are reported when the job uses them.)
 */
export function checkS3Uri(uri: string | undefined, field: string): void {
  if (uri === undefined) return;
  let key: string;
  try {
    ({ key } = parseS3Uri(uri));
  } catch {
    return;
  }
  if (hasDotSegment(key)) {
    throw validationException(
      `1 validation error detected: Value '${uri}' at '${field}' failed to satisfy constraint: Member must not contain '.' or '..' path segments (local-sagemaker stores S3 objects as files)`,
    );
  }
}

/** Refuses to touch a key that would escape the local S3 storage (the last guard behind checkS3Uri). */
function assertStorableKey(bucket: string, key: string): void {
  if (hasDotSegment(key)) throw new Error(`refusing S3 key "${key}" in bucket ${bucket}: keys with '.' or '..' path segments are not supported by local-sagemaker`);
}

/** `dir/relative`, refusing a relative path (from an S3 key) that would resolve outside `dir`. */
export function resolveInside(dir: string, relative: string): string {
  const root = path.resolve(dir);
  const target = path.resolve(root, relative);
  if (!target.startsWith(root + path.sep)) throw new Error(`refusing to write ${JSON.stringify(relative)}: it resolves outside ${root}`);
  return target;
}

export function s3Uri(loc: S3Location): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

/** Joins S3 URI segments with single slashes: (`s3://b/out/`, `job`, `output`) → `s3://b/out/job/output`. */
export function joinS3(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].filter((p) => p !== '').join('/');
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  size: number;
  /** Path relative to the prefix's folder, as SageMaker lays objects out locally and names outputs. */
  relative: string;
}

/** Relative path of a key under an S3Prefix: what follows the prefix's last `/`. */
export function relativeToPrefix(prefix: string, key: string): string {
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  return key.slice(folder.length);
}

/** S3 keys in byte order, as S3 lists them. */
export function compareKeys(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The objects one instance of `count` gets (`index` 0 is algo-1) when a job splits its input by S3
 * key: ShardedByS3Key inputs of processing and training, and batch transform, which "partitions the
 * Amazon S3 objects in the input by key and maps Amazon S3 objects to instances". AWS documents only
 * that each instance gets about 1/n of the objects, each object whole; the rule here is: sort the
 * keys, and the i-th object (from 0) goes to instance (i mod count) + 1. With fewer objects than
 * instances, the last instances get none (AWS: "some nodes won't get any data").
 */
export function shardByS3Key<T extends { key: string }>(objects: readonly T[], count: number, index: number): T[] {
  return [...objects].sort(compareKeys).filter((_, i) => i % count === index);
}

/** A manifest SageMaker cannot use; the message is the part after `ClientError: `. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Every file under `dir` (recursively, in path order), relative with `/`; symbolic links are skipped, as SageMaker does not follow them. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out;
}

/** Thin S3 transfer layer (list/download/upload, tar.gz) over the SDK v3 client. */
export class S3Transfer {
  readonly client: S3Client;

  constructor(opts: S3Options) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle ?? true,
      credentials: opts.credentials ?? DEFAULT_S3_CREDENTIALS,
      // Local S3 servers do not understand the aws-chunked checksum trailers newer SDKs send.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Every object whose key starts with the URI's key (S3DataType S3Prefix semantics), in key order. */
  async listPrefix(uri: string, signal?: AbortSignal): Promise<S3ObjectRef[]> {
    const { bucket, key: prefix } = parseS3Uri(uri);
    assertStorableKey(bucket, prefix);
    const out: S3ObjectRef[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue; // folder markers
        out.push({ bucket, key: o.Key, size: o.Size ?? 0, relative: relativeToPrefix(prefix, o.Key) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort(compareKeys);
  }

  /**
   * The objects a ManifestFile names: `[{"prefix": "s3://bucket/folder/"}, "relative/key", ...]`
   * (S3DataType ManifestFile of transform and processing inputs). Throws ManifestError.
   */
  async listManifest(uri: string, signal?: AbortSignal): Promise<S3ObjectRef[]> {
    const { bucket, key } = parseS3Uri(uri);
    let manifest: unknown;
    try {
      manifest = JSON.parse((await this.getBuffer(bucket, key, signal)).toString('utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new ManifestError(`The manifest file ${uri} is not valid JSON.`);
      throw e;
    }
    const head = (Array.isArray(manifest) ? manifest[0] : undefined) as { prefix?: string } | undefined;
    if (!head?.prefix) throw new ManifestError(`The manifest file ${uri} must start with {"prefix": "s3://..."}.`);
    const prefix = parseS3Uri(head.prefix);
    return (manifest as unknown[]).slice(1).map((rel) => {
      const k = prefix.key + String(rel);
      if (hasDotSegment(k)) throw new ManifestError(`The manifest file ${uri} names the key "${k}": keys with '.' or '..' path segments are not supported by local-sagemaker.`);
      return { bucket: prefix.bucket, key: k, size: 0, relative: relativeToPrefix(prefix.key, k) };
    });
  }

  async getStream(bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
    assertStorableKey(bucket, key);
    const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return res.Body as Readable;
  }

  async getBuffer(bucket: string, key: string, signal?: AbortSignal): Promise<Buffer> {
    const body = await this.getStream(bucket, key, signal);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }

  async download(bucket: string, key: string, file: string, signal?: AbortSignal): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await pipeline(await this.getStream(bucket, key, signal), fs.createWriteStream(file), { signal });
  }

  /** Downloads every object under the prefix into `dir`, keeping paths relative to the prefix folder. */
  async downloadPrefix(uri: string, dir: string, signal?: AbortSignal): Promise<S3ObjectRef[]> {
    const objects = await this.listPrefix(uri, signal);
    fs.mkdirSync(dir, { recursive: true });
    for (const o of objects) await this.download(o.bucket, o.key, resolveInside(dir, o.relative), signal);
    return objects;
  }

  /**
   * Uploads in buffered parts (lib-storage: one PutObject up to 5 MiB, multipart above), so the SDK
   * can retry any request: a file stream handed to PutObject cannot be replayed, and its retry after
   * a transient answer (a 500, a connection reset) failed the job (seen in the soak).
   */
  async uploadFile(file: string, uri: string, contentType?: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    assertStorableKey(bucket, key);
    await new Upload({ client: this.client, params: { Bucket: bucket, Key: key, Body: fs.createReadStream(file), ContentType: contentType } }).done();
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Packs the contents of `dir` (not the folder itself) into a gzipped tarball, as SageMaker packs /opt/ml/model. */
export async function packDirectory(dir: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  if (entries.length === 0) {
    // An empty archive: two 512-byte zero blocks, gzipped.
    const { gzipSync } = await import('node:zlib');
    fs.writeFileSync(file, gzipSync(Buffer.alloc(1024)));
    return;
  }
  await tar.create({ gzip: true, cwd: dir, file, portable: true }, entries);
}

export async function unpackArchive(file: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await tar.extract({ file, cwd: dir, strict: true });
}

export function isEmptyDir(dir: string): boolean {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}
