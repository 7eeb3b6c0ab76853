import { rollback } from '../core/rollback';
import { EXIT_CODES } from '../errors';
import { formatRollback } from '../output/human';
import type { Command } from './command';
import { noMorePositionals, positional, str, versionNumber } from './parse';

export const rollbackCommand: Command<{ family: string; to?: number; wait: boolean }> = {
  name: 'rollback',
  summary: 'deploy an earlier Approved version (default: the newest one older than the live one)',
  synopsis: '<family> [--to <version>] [--wait]',
  description: `Starts the stage's deploy state machine with {"modelPackageArn", "reason": "rollback"} for --to, or
by default the newest Approved version older than the one the endpoint serves. --wait follows the
deploy to its end (exit 1 when it fails).`,
  options: { to: { type: 'string' }, wait: { type: 'boolean' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 1);
    const to = str(values.to);
    return { family: positional(positionals, 0, 'family'), to: to === undefined ? undefined : versionNumber(to, '--to'), wait: values.wait === true };
  },
  async run(context, input) {
    const target = await context.target();
    const wait = input.wait ? { intervalMs: target.offline ? 250 : 5000, sleep: context.sleep } : undefined;
    const document = await rollback(target, { family: input.family, to: input.to, wait, now: context.now() });
    const failed = document.result !== undefined && document.result.status !== 'SUCCEEDED';
    return { document, text: formatRollback(document), exitCode: failed ? EXIT_CODES.failed : EXIT_CODES.ok };
  },
};
