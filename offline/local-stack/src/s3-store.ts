/**
 * s3rver's filesystem store, made safe for every key S3 accepts. s3rver (3.7.1) keeps an object
 * as files named after its key's path segments, so a segment the filesystem cannot hold (over 255
 * bytes: ENAMETOOLONG, thrown from a write stream nobody listens to, which ended the process) or
 * one it reads as a path (`.`, `..`, an empty segment) made the key fail, collide with another key
 * or land outside the data folder. This store keeps s3rver's layout for ordinary keys and writes
 * each unsafe segment encoded (below), so every object stays inside its bucket's folder; it turns
 * every filesystem error into a rejected promise (s3rver answers 500 InternalError); and it lists
 * keys as S3 does, in UTF-8 binary order with every CommonPrefix.
 *
 * Why the store and not the HTTP front (s3-front.ts): s3rver hands the store the literal key of
 * every operation (objects, copies, multipart uploads, listings, S3 events), so mapping keys here
 * covers them all, and no response needs rewriting. s3rver has no store option; it reads its
 * store from `app.store` and `app.context.store`, which `useSafeStore` replaces.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The members of s3rver's FilesystemStore this store uses or replaces (s3rver ships no types). */
interface FilesystemStore {
  rootDirectory: string;
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
  initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, unknown>): Promise<void>;
}
interface StoredObject {
  bucket: string;
  key: string;
  content: Readable | Buffer;
  metadata: Record<string, unknown>;
}
interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

/* eslint-disable @typescript-eslint/no-require-imports -- s3rver's internals, pinned at 3.7.1, have no types and no ESM entry */
const FilesystemStoreBase = require('s3rver/lib/stores/filesystem') as new (rootDirectory: string) => FilesystemStore;
const S3Object = require('s3rver/lib/models/object') as new (bucket: string, key: string, content: Readable | null, metadata: Record<string, unknown>) => { size: number };
const S3Error = require('s3rver/lib/models/error') as new (code: string, message: string, detail?: Record<string, unknown>) => Error;
/* eslint-enable @typescript-eslint/no-require-imports -- the three requires above only */

const MAX_KEY_BYTES = 1024;
/**
 * The longest segment kept as is. A file is named `<segment>._S3rver_metadata.json` (22 more
 * bytes) and a name may have 255, so 200 leaves room; an encoded chunk is 2 bytes more.
 */
const MAX_SEGMENT_BYTES = 200;
const OBJECT_SUFFIX = '._S3rver_object';
/** Marks an encoded path component: `%+` a chunk with more to follow, `%=` a segment's last chunk. */
const MORE = '%+';
const LAST = '%=';

/** S3's legacy (us-east-1) bucket rules, the loosest S3 had: never `.`, `..` nor a `/`. */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const UPLOAD_ID = /^[0-9a-f]{32}$/; // as s3rver makes them

function isPlain(segment: string, isLast: boolean): boolean {
  return (
    (segment !== '' || isLast) &&
    segment !== '.' &&
    segment !== '..' &&
    !segment.startsWith(MORE) &&
    !segment.startsWith(LAST) &&
    !segment.includes('._S3rver_') &&
    !/[\u0000-\u001f\u007f]/.test(segment) &&
    Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES
  );
}

/**
 * A key segment as path components: itself when safe; otherwise `%`, `.` and control characters
 * percent-escaped (so no `.`, `..` nor s3rver suffix can appear) and cut into chunks of at most
 * MAX_SEGMENT_BYTES, each a folder but the last, marked so that decoding is unambiguous.
 */
export function encodeSegment(segment: string, isLast = false): string[] {
  if (isPlain(segment, isLast)) return [segment];
  const tokens = [...segment].map((c) => (/[%.\u0000-\u001f\u007f]/.test(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c));
  const chunks: string[] = [''];
  for (const token of tokens) {
    if (Buffer.byteLength(chunks[chunks.length - 1]! + token) > MAX_SEGMENT_BYTES) chunks.push('');
    chunks[chunks.length - 1] += token;
  }
  return chunks.map((chunk, i) => (i === chunks.length - 1 ? LAST : MORE) + chunk);
}

/** The key an object file's path (relative to its bucket folder, suffix removed) stands for. */
export function decodeKeyPath(relativePath: string): string {
  const segments: string[] = [];
  let pending = '';
  for (const component of relativePath.split(sep)) {
    if (component.startsWith(MORE)) pending += component.slice(MORE.length);
    else if (component.startsWith(LAST)) {
      segments.push((pending + component.slice(LAST.length)).replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
      pending = '';
    } else segments.push(component);
  }
  return segments.join('/');
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function checkKey(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long', { Size: size, MaxSizeAllowed: MAX_KEY_BYTES });
}

function checkUpload(uploadId: string): void {
  if (!UPLOAD_ID.test(uploadId)) throw noSuchUpload(uploadId);
}

const noSuchUpload = (uploadId: string) =>
  new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });

/** Writes a stream or buffer to a file; resolves once the file is complete, rejects on any error. */
async function writeContent(content: Readable | Buffer, file: string): Promise<{ size: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  if (Buffer.isBuffer(content)) meter.end(content);
  else {
    content.once('error', (error) => meter.destroy(error));
    content.pipe(meter);
  }
  try {
    await pipeline(meter, createWriteStream(file));
  } catch (error) {
    // Drain what the client still sends, so that s3rver can answer the error.
    if (!Buffer.isBuffer(content)) content.unpipe(meter).resume();
    throw error;
  }
  return { size, md5: hash.digest('hex') };
}

async function* objectFiles(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* objectFiles(path);
    else if (entry.name.endsWith(OBJECT_SUFFIX)) yield path;
  }
}

class SafeStore extends FilesystemStoreBase {
  override getBucketPath(bucket: string): string {
    if (!BUCKET_NAME.test(bucket)) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
    return super.getBucketPath(bucket);
  }

  override getResourcePath(bucket: string, key = '', resource: string): string {
    checkKey(key);
    const segments = key.split('/');
    const components = segments.flatMap((segment, i) => encodeSegment(segment, i === segments.length - 1));
    const file = components.pop()!;
    return join(this.getBucketPath(bucket), ...components, `${file}._S3rver_${resource}`);
  }

  private uploadPath(bucket: string, uploadId: string): string {
    checkUpload(uploadId);
    return join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  }

  async listObjects(bucket: string, { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity }: ListOptions) {
    const bucketPath = this.getBucketPath(bucket);
    // Only the prefix's whole segments name a folder; the walk starts there.
    const folders = prefix.split('/').slice(0, -1).flatMap((segment) => encodeSegment(segment));
    const keys: string[] = [];
    for await (const file of objectFiles(join(bucketPath, ...folders))) {
      const key = decodeKeyPath(relative(bucketPath, file).slice(0, -OBJECT_SUFFIX.length));
      if (key.startsWith(prefix) && utf8Order(key, startAfter) > 0) keys.push(key);
    }
    keys.sort(utf8Order);
    // As s3rver does, MaxKeys counts keys only, so a truncated page always ends with a key, which
    // s3rver's NextMarker and continuation token are made of.
    const objects: string[] = [];
    const commonPrefixes = new Set<string>();
    let isTruncated = false;
    for (const key of keys) {
      const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (at !== -1) {
        const commonPrefix = key.slice(0, at + delimiter.length);
        // A CommonPrefix a previous page ended in (its marker is inside it) was listed there.
        if (!startAfter.startsWith(commonPrefix)) commonPrefixes.add(commonPrefix);
        continue;
      }
      if (objects.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(key);
    }
    if (isTruncated) {
      const last = objects[objects.length - 1]!;
      for (const commonPrefix of commonPrefixes) if (utf8Order(commonPrefix, last) > 0) commonPrefixes.delete(commonPrefix);
    }
    const listed = await Promise.all(
      objects.map((key) =>
        this.getMetadata(bucket, key).then(
          (metadata) => new S3Object(bucket, key, null, metadata),
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined; // deleted meanwhile
            throw error;
          },
        ),
      ),
    );
    return { objects: listed.filter((o) => o !== undefined), commonPrefixes: [...commonPrefixes].sort(utf8Order), isTruncated };
  }

  async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    // Written aside and renamed, so a failed upload leaves the previous object whole.
    const partial = `${objectPath}.partial`;
    try {
      const { size, md5 } = await writeContent(object.content, partial);
      await rename(partial, objectPath);
      await this.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size, md5 };
    } finally {
      await rm(partial, { force: true });
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const objectPath = this.getResourcePath(bucket, key, 'object');
    for (const resource of ['object', 'object.md5', 'metadata.json']) {
      await unlink(this.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    // Remove the folders the key leaves empty, up to (not including) the bucket's.
    const bucketPath = this.getBucketPath(bucket);
    for (let dir = dirname(objectPath); dir.startsWith(bucketPath + sep); dir = dirname(dir)) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }

  override async initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, unknown>): Promise<void> {
    checkKey(key);
    return super.initiateUpload(bucket, key, uploadId, metadata);
  }

  async putPart(bucket: string, uploadId: string, partNumber: string, content: Readable): Promise<{ size: number; md5: string }> {
    const uploadDir = this.uploadPath(bucket, uploadId);
    if (!/^\d+$/.test(String(partNumber)) || Number(partNumber) < 1 || Number(partNumber) > 10000) {
      throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: partNumber });
    }
    if (!(await stat(uploadDir).then(() => true, () => false))) throw noSuchUpload(uploadId);
    return writeContent(content, join(uploadDir, String(Number(partNumber))));
  }

  async putObjectMultipart(bucket: string, uploadId: string, parts: { number: number }[]): Promise<{ size: number; md5: string }> {
    const uploadDir = this.uploadPath(bucket, uploadId);
    const [key, metadata] = await Promise.all([readFile(join(uploadDir, 'key'), 'utf8'), readFile(join(uploadDir, 'metadata'), 'utf8').then((m) => JSON.parse(m) as Record<string, unknown>)]).catch(
      (error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? noSuchUpload(uploadId) : error;
      },
    );
    const files = [...parts].sort((a, b) => a.number - b.number).map((part) => join(uploadDir, String(part.number)));
    for (const file of files) {
      if (!(await stat(file).then((s) => s.isFile(), () => false))) {
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
    }
    const content = Readable.from(
      (async function* () {
        for (const file of files) yield* createReadStream(file);
      })(),
    );
    const result = await this.putObject({ bucket, key, content, metadata });
    await rm(uploadDir, { recursive: true, force: true });
    return result;
  }
}

/** Makes an s3rver instance keep its objects in a SafeStore rooted at `directory`. */
export function useSafeStore(s3rver: object, directory: string): void {
  const store = new SafeStore(directory);
  const app = s3rver as { store: unknown; context: { store: unknown } };
  app.store = store;
  app.context.store = store;
}
