/**
 * What each reliability test saw, for docs/RELIABILITY.md: one JSON file per test file under
 * .local/reliability/, written after the file's tests ran. Observations are recorded before the
 * assertions, so a failing test still reports what it observed; pass/fail comes from jest's own
 * results (scripts/reliability-report.ts joins both by the test's full name).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';

export interface Counts {
  /** Faults injected (Lambda, SageMaker, S3, process). */
  faultsInjected?: number;
  /** Pipeline executions that ran. */
  runs?: number;
  /** SageMaker resources or executions beyond one per run. */
  duplicates?: number;
  /** Jobs, endpoints or processes left running that should not be. */
  leaks?: number;
  /** Uploads rejected with a recorded reason. */
  rejections?: number;
  [other: string]: number | undefined;
}

export interface Observation {
  /** The fault, as the table names it. */
  scenario: string;
  expected: string;
  observed: string;
  counts?: Counts;
  /** Set by the recorder: jest's full name of the test that observed it. */
  test?: string;
  durationMs?: number;
}

export interface ObservationFile {
  file: string;
  title: string;
  writtenAt: string;
  /** The Node.js version the tests ran on. */
  node: string;
  observations: Observation[];
}

export const OBSERVATIONS_DIR = join(projectRoot(), '.local/reliability');

/** Call at the top of a test file; `record` inside tests. */
export function observationRecorder(file: string, title: string): { record(observation: Observation): void } {
  const observations: Observation[] = [];
  const startedAt = new Map<string, number>();
  beforeEach(() => {
    startedAt.set(expect.getState().currentTestName ?? '', Date.now());
  });
  afterAll(() => {
    mkdirSync(OBSERVATIONS_DIR, { recursive: true });
    const content: ObservationFile = { file, title, writtenAt: new Date().toISOString(), node: process.versions.node, observations };
    writeFileSync(join(OBSERVATIONS_DIR, `${file}.json`), `${JSON.stringify(content, null, 2)}\n`);
  });
  return {
    record(observation) {
      const test = expect.getState().currentTestName ?? '';
      const started = startedAt.get(test);
      observations.push({ ...observation, test, ...(started === undefined ? {} : { durationMs: Date.now() - started }) });
    },
  };
}
