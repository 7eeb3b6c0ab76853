import { retrainFamily } from '../core/retrain';
import type { Command } from './command';
import { noMorePositionals, positional, str } from './parse';

export const retrainCommand: Command<{ family: string; at?: string }> = {
  name: 'retrain',
  summary: "run a family's latest dataset again now, as the stage's retraining schedule does",
  synopsis: '<family> [--at <ISO time>]',
  description: `Invokes the stage's mlops_ingest with the request its retraining schedule sends (serverless.yml
param retrainSchedule, resources/retraining.yml): the family's latest dataset under incoming/ (by
LastModified) runs again, through the same split, gate, registry and deploy as an upload, as the run
<upload's run id>-r<tick>. The tick is now, or --at (an ISO 8601 time): the same tick again starts
nothing new and names the run it already started. Prints the runs started; follow them with
\`pnpm mlops runs <family>\`.`,
  options: { at: { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 1);
    return { family: positional(positionals, 0, 'family'), at: str(values.at) };
  },
  async run(context, input) {
    const document = await retrainFamily(await context.target(), { family: input.family, scheduledTime: input.at });
    return { document, text: document.message };
  },
};
