import { predictRows, type PredictRequest, type RowSource } from '../core/predict';
import { UsageError } from '../errors';
import { formatPredict } from '../output/predict';
import type { Command } from './command';
import { noMorePositionals, positional, str, strings } from './parse';

export const predictCommand: Command<PredictRequest> = {
  name: 'predict',
  summary: "the family's endpoint predicts rows given in the dataset's own columns, answering in its terms",
  synopsis: "<family> (--row '<csv>' [--row ...] | --file <path.csv> | --json-rows <path.json>)",
  description: `Sends rows to the family's endpoint (<NamePrefix>-<family>) and prints what it predicts, in the
dataset's terms: the number for a regression, named by the target; the class name for a
classification (and each class's probability, when the model's objective gives them). The rows are in
the dataset's own columns, without the label (a row that has it in its place is read too, the label
ignored): the CLI reads the family's schema (s3://<bucket>/families/<family>/schema.json) and encodes
each row exactly as mlops_ingest encoded the rows the model was trained on (categorical columns
one-hot, in the schema's column order). A value the family has never seen (an unknown category), a
value that is not a number in a numeric column, or a missing column is refused, naming the row and
the column; nothing is sent. The request and the answer: docs/ENDPOINT.md.

  --row '<csv>'         one row as CSV (quotes as in the dataset); repeat it for more rows
  --file <path.csv>     a CSV file of rows; a first line naming the columns is a header and skipped
  --json-rows <path>    a JSON array of rows: objects by column name, or arrays in column order

Example: pnpm mlops predict abalone --row 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15'`,
  options: { row: { type: 'string', multiple: true }, file: { type: 'string' }, 'json-rows': { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 1);
    const family = positional(positionals, 0, 'family');
    const rows = strings(values.row);
    const file = str(values.file);
    const json = str(values['json-rows']);
    const sources: RowSource[] = [
      ...(rows.length ? [{ kind: 'row' as const, rows }] : []),
      ...(file !== undefined ? [{ kind: 'file' as const, path: file }] : []),
      ...(json !== undefined ? [{ kind: 'json' as const, path: json }] : []),
    ];
    if (sources.length !== 1) {
      throw new UsageError(sources.length === 0 ? "give the rows: --row '<csv>' (repeatable), --file <path.csv> or --json-rows <path.json>" : 'give the rows one way: --row, --file or --json-rows, not several');
    }
    if ((file ?? json) === '') throw new UsageError(`--${file === '' ? 'file' : 'json-rows'}: must name a file`);
    return { family, source: sources[0]! };
  },
  async run(context, input) {
    const document = await predictRows(await context.target(), input);
    return { document, text: formatPredict(document) };
  },
};
