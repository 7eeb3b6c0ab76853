import { promoteVersion } from '../core/promote';
import { UsageError } from '../errors';
import { formatPromote } from '../output/human';
import type { Command } from './command';
import { noMorePositionals, positional, str, versionNumber } from './parse';

export const promoteCommand: Command<{ family: string; version: number; to: string }> = {
  name: 'promote',
  summary: "copy an Approved version to another stage's registry (no training); auto stages deploy it",
  synopsis: '<family> <version> --to <stage>',
  description: `Promotes an Approved version of --stage to the stage --to: copies its model artifact into the
target's bucket (<RunsPrefix>promoted/<family>/<stage>-v<version>/model.tar.gz), registers it in the
target's group with the same image, content and instance types, model metrics and metadata (plus
sourceStage, sourceVersion, sourceRun). The target's approval policy decides: auto registers it
Approved and the CLI starts the target's deploy; manual registers it PendingManualApproval and prints
the approve command. Starts no training job.`,
  options: { to: { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 2);
    const family = positional(positionals, 0, 'family');
    const version = versionNumber(positional(positionals, 1, 'version'), '<version>');
    const to = str(values.to);
    if (!to) throw new UsageError('--to <stage> is required (the stage to promote to)');
    return { family, version, to };
  },
  async run(context, input) {
    if (input.to === context.stage) throw new UsageError(`--to must name another stage than --stage (both are '${input.to}')`);
    const [source, target] = [await context.target(), await context.resolve(input.to)];
    const document = await promoteVersion(source, target, { family: input.family, version: input.version, now: context.now() });
    return { document, text: formatPromote(document) };
  },
};
