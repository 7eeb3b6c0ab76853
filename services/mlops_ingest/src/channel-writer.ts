import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BatchedSink } from './channel-sink';

/**
 * Streams text lines into one S3 object through a multipart upload, so a channel of any size
 * is never held in memory: at most the upload's queue of 5 MiB parts plus one chunk.
 */
export class ChannelWriter extends BatchedSink {
  private readonly stream = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;

  constructor(s3: S3Client, bucket: string, key: string) {
    super();
    this.upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: this.stream, ContentType: 'text/csv' }, queueSize: 2 });
    this.done = this.upload.done();
    // Observed here so a failure mid-stream is not an unhandled rejection; it resurfaces in write() or end().
    this.done.catch(() => this.stream.destroy());
  }

  protected async write(chunk: string): Promise<void> {
    if (this.stream.destroyed) await this.done; // the upload failed: rethrow its error
    if (chunk.length === 0 || this.stream.write(chunk)) return;
    // Backpressure: wait until the upload consumed the stream, or failed.
    await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await this.done;
  }

  /** Stops the upload after a failure elsewhere; the uploader then aborts its multipart upload (no object appears). */
  async abort(): Promise<void> {
    await this.upload.abort();
    this.stream.destroy();
    await this.done.catch(() => undefined);
  }
}
