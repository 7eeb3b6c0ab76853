/** `pnpm mlops`: the process around runCli (real stages, real clock, process exit code). */
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { runCli } from './cli';
import { createStageResolver } from './stage/resolver';

export async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  const localDir = process.env.MLOPS_LOCAL_DIR ?? join(root, '.local');
  return runCli(
    argv,
    { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    { resolver: ({ region }) => createStageResolver({ localDir, region }), reportsDir: join(root, '.local', 'reports') },
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`pnpm mlops: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
