import { listModels } from '../core/models';
import { formatModels } from '../output/human';
import type { Command } from './command';
import { noMorePositionals, positional } from './parse';

export const modelsCommand: Command<{ family: string }> = {
  name: 'models',
  summary: "a family's registry versions: approval, created, gate metric, run, source, which is live",
  synopsis: '<family>',
  description: `Lists every version of the family's model package group (<NamePrefix>-<family>) with its approval
status, creation time, gate metric (from the version's metadata) and the gate's rule (from the run's
record), the run that trained it or the stage it was promoted from, and marks the version the family's
endpoint serves (*).`,
  options: {},
  parse(_values, positionals) {
    noMorePositionals(positionals, 1);
    return { family: positional(positionals, 0, 'family') };
  },
  async run(context, input) {
    const document = await listModels(await context.target(), input.family);
    return { document, text: formatModels(document) };
  },
};
