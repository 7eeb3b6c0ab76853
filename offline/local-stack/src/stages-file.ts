/**
 * `.local/stages.json`: what `pnpm local:up` hosts, for the operator CLI and scripts (the offline
 * counterpart of the deployed stacks' CloudFormation Outputs). The shape is @mlops/common's
 * LocalStagesFileSchema; it is validated before it is written.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type LocalStagesFile, LocalStagesFileSchema, StageOutputsSchema } from '@mlops/common';
import type { LocalStack } from './stack';

/** The stages `pnpm local:up` hosts: repeated `--stage <name>` (or `--stage=<name>`), else MLOPS_STAGES (comma list), else `local`. */
export function stagesFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--stage') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error('--stage needs a stage name');
      fromArgs.push(value);
    } else if (arg.startsWith('--stage=')) fromArgs.push(arg.slice('--stage='.length));
  }
  const stages = fromArgs.length > 0 ? fromArgs : (env.MLOPS_STAGES ?? 'local').split(',').map((s) => s.trim()).filter(Boolean);
  if (stages.length === 0) throw new Error('no stage to host (MLOPS_STAGES is empty)');
  return [...new Set(stages)];
}

/** The file's content for a running stack, validated against LocalStagesFileSchema. */
export function localStagesFile(stack: Pick<LocalStack, 'resources' | 'endpoints' | 'stages' | 'stageNames'>): LocalStagesFile {
  const stages: LocalStagesFile['stages'] = {};
  for (const name of stack.stageNames) {
    const parsed = StageOutputsSchema.safeParse(stack.stages[name]!.outputs);
    if (!parsed.success) throw new Error(`stage ${name}: its CloudFormation Outputs do not fit StageOutputsSchema: ${parsed.error.message}`);
    stages[name] = parsed.data;
  }
  return LocalStagesFileSchema.parse({ version: 1, region: stack.resources.region, endpoints: { ...stack.endpoints }, stages });
}

/** Writes the file atomically (a reader sees the previous file or the new one). */
export function writeLocalStagesFile(file: string, content: LocalStagesFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(LocalStagesFileSchema.parse(content), null, 2)}\n`);
  renameSync(tmp, file);
}
