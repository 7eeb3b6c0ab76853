/**
 * The packaged CloudFormation of each stage, shared by the infrastructure tests: `scripts/package.sh`
 * runs only for a stage whose template is missing or older than what goes into it (serverless.yml,
 * resources/, the state machine, the functions' sources, the build configuration, the lockfile), so
 * several test files check one packaging. A lock directory keeps parallel jest workers from
 * packaging the same stage at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string | string[] };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };

const root = projectRoot();
const INPUTS = ['serverless.yml', 'resources', 'statemachines', 'services', 'packages/common', 'esbuild.config.cjs', 'package.json', 'pnpm-lock.yaml', 'scripts/package.sh'];
const LOCK = join(root, '.serverless-package.lock');
const LOCK_STALE_MS = 10 * 60_000;

export const templatePath = (stage: string) => join(root, `.serverless-${stage}`, 'cloudformation-template-update-stack.json');

/** The newest modification time among the packaging's inputs (test folders and node_modules excluded). */
function newestInput(): number {
  let newest = 0;
  const visit = (path: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      return;
    }
    for (const entry of readdirSync(path)) {
      if (entry === 'node_modules' || entry === 'test' || entry.startsWith('.')) continue;
      visit(join(path, entry));
    }
  };
  for (const input of INPUTS) visit(join(root, input));
  return newest;
}

function isFresh(stage: string, newest: number): boolean {
  try {
    return statSync(templatePath(stage)).mtimeMs > newest;
  } catch {
    return false;
  }
}

async function withLock<T>(work: () => T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Packages the stages whose template is stale (offline, dummy credentials) and returns every stage's template. */
export async function packagedTemplates(stages: readonly string[]): Promise<Record<string, Template>> {
  await withLock(() => {
    const newest = newestInput();
    const stale = stages.filter((stage) => !isFresh(stage, newest));
    // Bounded (GNU timeout signals the whole process group, sls and esbuild included), so a stuck
    // packaging fails the tests instead of holding the lock; a healthy one takes about 10 s per stage.
    if (stale.length > 0) execFileSync('timeout', ['-k', '10', '240', 'bash', join(root, 'scripts/package.sh'), ...stale], { cwd: root, stdio: 'pipe', env: { ...process.env } });
  });
  return Object.fromEntries(stages.map((stage) => [stage, JSON.parse(readFileSync(templatePath(stage), 'utf8')) as Template]));
}
