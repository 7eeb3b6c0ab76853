/**
 * s3rver in a process of its own (`node --import tsx bench/lib/s3-server.ts <bucket>...`): prints
 * `{"endpoint": ...}` on stdout, serves until stdin closes. The benchmarks run the code they measure
 * in a separate process from the server, as Lambda and S3 are.
 */
import { startLocalS3 } from './s3';

void (async () => {
  const s3 = await startLocalS3(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint, directory: s3.directory })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void s3.close().then(() => process.exit(0)));
})();
