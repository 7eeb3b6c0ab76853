/** `pnpm local:clean`: see clean.ts. */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { projectRoot } from '@mlops/serverless-config';
import { clean } from './clean';

const localDir = process.env.MLOPS_LOCAL_DIR ?? join(projectRoot(), '.local');
const ask = process.stdin.isTTY
  ? async (question: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    }
  : undefined;
void clean(process.argv.slice(2), localDir, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), ask }).then((code) => process.exit(code));
