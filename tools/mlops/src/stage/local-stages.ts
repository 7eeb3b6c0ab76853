/** The offline stack's stages: `.local/stages.json`, written by `pnpm local:up`. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStagesFileSchema, type LocalStagesFile } from '@mlops/common';
import { OperationError } from '../errors';

export const STAGES_FILE = 'stages.json';

export async function readLocalStages(localDir: string): Promise<LocalStagesFile> {
  const path = join(localDir, STAGES_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new OperationError('stage-not-deployed', `the offline stack has not been started: ${path} does not exist; run \`pnpm local:up\` (or point MLOPS_LOCAL_DIR at the folder holding stages.json)`);
  }
  const parsed = LocalStagesFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new OperationError('stage-not-deployed', `${path} is not a stages file of this version (${parsed.error.issues[0]?.message}); restart \`pnpm local:up\``);
  return parsed.data;
}

export function localStageOutputs(file: LocalStagesFile, stage: string, path: string) {
  const outputs = file.stages[stage];
  if (!outputs) {
    const hosted = Object.keys(file.stages).join(', ') || 'none';
    throw new OperationError('stage-not-deployed', `stage '${stage}' is not hosted by the offline stack (${path} lists: ${hosted}); add it to the offline stack's stages and restart \`pnpm local:up\``);
  }
  return outputs;
}
