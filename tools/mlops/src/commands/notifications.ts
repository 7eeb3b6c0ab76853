import { join } from 'node:path';
import { isOfflineStage } from '@mlops/common';
import { projectRoot } from '@mlops/serverless-config';
import { describeStageNotifications, NOTIFICATIONS_FILE, readStageNotifications } from '../core/notifications';
import { formatNotifications } from '../output/notifications';
import type { Command } from './command';
import { noMorePositionals, positiveInt, str } from './parse';

/** The offline folder, as `pnpm local:up` and the stage resolver find it (MLOPS_LOCAL_DIR, else `<repo>/.local`). */
const localDir = () => process.env.MLOPS_LOCAL_DIR ?? join(projectRoot(), '.local');

export const notificationsCommand: Command<{ limit: number }> = {
  name: 'notifications',
  summary: 'ended runs, versions awaiting approval or decided, failed deploys: offline the messages, on AWS the SNS topic',
  synopsis: '[--limit <n>]',
  description: `The stage's notifications (resources/notifications.yml): one short message for every run that ends
(deployed or awaiting approval, failed or rejected by the gate, aborted or timed out), every version
that awaits approval or is approved or rejected, and every deploy that fails.
Offline stages: the latest messages from .local/notifications.jsonl (every offline stage's, one JSON
line each; MLOPS_LOCAL_DIR moves it), newest last (default: the 20 newest). The offline stack need
not run.
AWS stages: SNS keeps no messages; prints the stage's topic (mlops-<stage>-notifications) and its
subscriptions (serverless.yml params notifyEmail, notifyHttps).`,
  options: { limit: { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 0);
    const limit = str(values.limit);
    return { limit: limit === undefined ? 20 : positiveInt(limit, '--limit') };
  },
  async run(context, input) {
    const document = isOfflineStage(context.stage)
      ? readStageNotifications(join(localDir(), NOTIFICATIONS_FILE), context.stage, input.limit)
      : await describeStageNotifications(await context.target());
    return { document, text: formatNotifications(document) };
  },
};
