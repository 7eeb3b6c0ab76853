/**
 * `pnpm bench`: the performance figures of docs/PERFORMANCE.md.
 *
 *   pnpm bench                                   everything (about 35 minutes on 2 cores, most of it the 1 GiB ingest and the 4 GiB scale path)
 *   pnpm bench -- --only poll,coldstart          some sections (poll | coldstart | eval | ingest | e2e | xgboost | scale)
 *   pnpm bench -- --quick                        smaller and fewer runs (a quick check, not for the record)
 *   pnpm bench -- --only ingest --ingest-mb 256  another ingest size (default 1024 MiB)
 *   pnpm bench -- --only scale --scale-mb 8192   another scale-path dataset size (default 4096 MiB in 16 parts)
 *   pnpm bench -- --render                       only re-render docs/PERFORMANCE.md from bench/results
 *
 * Each section writes bench/results/<section>.json (raw figures, with the machine, load, date and
 * command); docs/PERFORMANCE.md is rendered from all of them, so a section run alone keeps the
 * others' last figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runColdStartBench } from './coldstart/bench';
import { runE2eBench } from './e2e/bench';
import { runEvalBench } from './eval/bench';
import { runIngestBench } from './ingest/bench';
import { machine } from './lib/machine';
import { RESULTS } from './lib/paths';
import { runPollBench } from './poll/bench';
import { runScaleBench } from './scale/bench';
import { runXGBoostBench } from './xgboost/bench';
import { renderReport } from './report';

export const SECTIONS = ['poll', 'coldstart', 'eval', 'ingest', 'e2e', 'xgboost', 'scale'] as const;
export type Section = (typeof SECTIONS)[number];

const USAGE = 'usage: pnpm bench [-- --only poll,coldstart,eval,ingest,e2e,xgboost,scale] [--quick] [--runs <n>] [--ingest-mb <MiB>] [--scale-mb <MiB>] [--render]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'ingest-mb': { type: 'string' },
      'scale-mb': { type: 'string' },
      render: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS];
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; ${USAGE}`);
  const quick = values.quick;
  const runs = (normal: number, fast: number) => (values.runs ? Number(values.runs) : quick ? fast : normal);
  const command = `pnpm bench${argv.length ? ` -- ${argv.filter((a) => a !== '--').join(' ')}` : ''}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  mkdirSync(RESULTS, { recursive: true });

  if (!values.render) {
    for (const section of only as Section[]) {
      const started = machine(command);
      log(`== ${section} (load average ${started.loadAverage.join(', ')})`);
      let result: unknown;
      let options: Record<string, unknown>;
      switch (section) {
        case 'poll':
          options = { quick };
          result = await runPollBench({ quick, log });
          break;
        case 'coldstart':
          options = { runs: runs(15, 3) };
          result = await runColdStartBench({ runs: runs(15, 3), log });
          break;
        case 'eval':
          options = { rows: quick ? [1_000_000] : [1_000_000, 10_000_000], runs: runs(3, 1) };
          result = await runEvalBench({ rows: options.rows as number[], runs: runs(3, 1), log });
          break;
        case 'ingest': {
          const megabytes = values['ingest-mb'] ? Number(values['ingest-mb']) : quick ? 64 : 1024;
          options = { megabytes, runs: runs(megabytes >= 512 ? 1 : 3, 1) };
          result = await runIngestBench({ megabytes, runs: options.runs as number, log });
          break;
        }
        case 'e2e':
          options = { runs: runs(5, 1) };
          result = await runE2eBench({ runs: runs(5, 1), log });
          break;
        case 'xgboost':
          options = { runs: runs(5, 1) };
          result = await runXGBoostBench({ runs: runs(5, 1), log });
          break;
        case 'scale': {
          const megabytes = values['scale-mb'] ? Number(values['scale-mb']) : quick ? 256 : 4096;
          options = { megabytes, runs: runs(3, 1) };
          result = await runScaleBench({ megabytes, runs: options.runs as number, log });
          break;
        }
      }
      const finished = machine(command);
      writeFileSync(join(RESULTS, `${section}.json`), `${JSON.stringify({ section, quick, options, machine: { ...started, loadAverageAfter: finished.loadAverage }, result }, null, 1)}\n`);
      log(`== ${section}: bench/results/${section}.json`);
    }
  }
  const path = renderReport();
  log(`wrote ${path}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`pnpm bench: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
