// One measurement in a fresh process (plain Node, no TypeScript loader, so RSS is the work's own).
//   ingest: the mlops_ingest bundle's handler on an S3 event for the object (two passes, three channels)
//   copy:   GetObject streamed into a multipart Upload of a new object (same SDK, part size and queue as the channel writer)
//   server-copy: CopyObject (s3rver copies the file on its side)
// Prints one JSON line: { ms, bytes, rssBeforeMb, maxRssMb, result }.
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { lambdaContextFor } = require('@mlops/testing/lambda-context');

const [mode, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const mb = (bytes) => bytes / 1024 / 1024;

async function main() {
  let run;
  if (mode === 'ingest') {
    const { handler } = require(args.bundle);
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: args.bucket }, object: { key: args.key, size: args.bytes, eTag: args.etag } },
        },
      ],
    };
    run = () => handler(event, lambdaContextFor('mlops_ingest', { memoryLimitInMB: 1024, timeoutSeconds: 900 }));
  } else {
    const { S3Client, GetObjectCommand, CopyObjectCommand } = require('@aws-sdk/client-s3');
    const s3 = new S3Client({ endpoint: args.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    if (mode === 'copy') {
      const { Upload } = require(require.resolve('@aws-sdk/lib-storage', { paths: [path.join(__dirname, '../../services/mlops_ingest')] }));
      run = async () => {
        const object = await s3.send(new GetObjectCommand({ Bucket: args.bucket, Key: args.key }));
        await new Upload({ client: s3, params: { Bucket: args.bucket, Key: `copies/${args.key}`, Body: object.Body, ContentType: 'text/csv' }, queueSize: 2 }).done();
        return { copied: args.bytes };
      };
    } else {
      run = () => s3.send(new CopyObjectCommand({ Bucket: args.bucket, Key: `server-copies/${args.key}`, CopySource: `${args.bucket}/${args.key}` }));
    }
  }
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const result = await run();
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ ms, bytes: args.bytes, rssBeforeMb: mb(rssBefore), maxRssMb: process.resourceUsage().maxRSS / 1024, result })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
