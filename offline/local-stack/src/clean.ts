/**
 * `pnpm local:clean [--yes]`: removes the offline stack's folder (.local, or MLOPS_LOCAL_DIR): its S3
 * data, SageMaker and Step Functions state, stages.json and local.env, notifications, reports and
 * caches. Lists what it will delete with sizes and asks to type "yes" (--yes skips the question;
 * without a terminal and without --yes it only lists, exit 2). Refused while `pnpm local:up` runs on it.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { liveStackPid } from './stack-state';

export const CLEAN_HELP = `pnpm local:clean [--yes] [--help]

Deletes the offline stack's folder (MLOPS_LOCAL_DIR, default <repo>/.local): the local S3 data, the
SageMaker, Step Functions, SQS and CloudWatch state, stages.json, local.env, notifications.jsonl, run
reports and caches. Lists them first and asks you to type "yes"; --yes does not ask. Without a
terminal and without --yes it only lists (exit 2). Refused while \`pnpm local:up\` runs on the folder.
Exit codes: 0 deleted (or nothing to delete), 1 refused or cancelled, 2 usage or no terminal.
`;

function sizeOf(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

const human = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

export interface CleanIo {
  out(text: string): void;
  err(text: string): void;
  /** Undefined when there is no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
}

export async function clean(argv: readonly string[], localDir: string, io: CleanIo): Promise<number> {
  let yes: boolean;
  try {
    const { values } = parseArgs({ args: [...argv], options: { yes: { type: 'boolean' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
    if (values.help) {
      io.out(CLEAN_HELP);
      return 0;
    }
    yes = values.yes ?? false;
  } catch (error) {
    io.err(`pnpm local:clean: ${(error as Error).message}\n\n${CLEAN_HELP}`);
    return 2;
  }
  if (!existsSync(localDir)) {
    io.out(`nothing to delete: ${localDir} does not exist\n`);
    return 0;
  }
  const live = liveStackPid(join(localDir, 'stack', 'state'));
  if (live !== undefined) {
    io.err(`pnpm local:clean: the offline stack (pid ${live}) is running on ${localDir}: stop it first (Ctrl-C in its terminal)\n`);
    return 1;
  }
  const entries = readdirSync(localDir).sort();
  io.out(`${localDir} (${human(sizeOf(localDir))}):\n${entries.map((e) => `  ${e.padEnd(24)} ${human(sizeOf(join(localDir, e)))}`).join('\n')}\n`);
  if (!yes) {
    if (!io.ask) {
      io.err('no terminal to confirm on: nothing deleted (run it in a terminal, or pass --yes)\n');
      return 2;
    }
    const answer = await io.ask(`delete all of it? type "yes": `);
    if (answer.trim() !== 'yes') {
      io.err('cancelled: nothing deleted\n');
      return 1;
    }
  }
  rmSync(localDir, { recursive: true, force: true });
  io.out(`deleted ${localDir}\n`);
  return 0;
}
