// One measurement in a fresh process (plain Node, no TypeScript loader, so RSS is the work's own).
//   stream: the mlops_eval bundle's handler (lists the .out objects, streams them line by line, writes the report)
//   naive:  read everything: GetObject → transformToString → split lines → split fields → parse, then the same sums
// Prints one JSON line: { ms, rows, rssBeforeMb, maxRssMb, mse }.
const { performance } = require('node:perf_hooks');
const { lambdaContextFor } = require('@mlops/testing/lambda-context');

const [mode, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const mb = (bytes) => bytes / 1024 / 1024;

async function naive() {
  const { S3Client, GetObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({ endpoint: args.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(args.transformOutput);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  let rows = 0;
  let sse = 0;
  for (const object of listed.Contents.filter((o) => o.Key.endsWith('.out'))) {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    const text = await response.Body.transformToString();
    const pairs = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(',').map(Number));
    for (const pair of pairs) {
      const error = pair[pair.length - 1] - pair[0];
      sse += error * error;
      rows++;
    }
  }
  return { rows, mse: sse / rows };
}

async function main() {
  let run;
  if (mode === 'stream') {
    const { handler } = require(args.bundle);
    run = async () => {
      const output = await handler(args.event, lambdaContextFor('mlops_eval', { memoryLimitInMB: 1024, timeoutSeconds: 900 }));
      return { rows: output.rows, mse: output.metrics.mse };
    };
  } else {
    run = naive;
  }
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const result = await run();
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ ms, ...result, rssBeforeMb: mb(rssBefore), maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
