import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');
/** Scratch space for the benchmarks (gitignored). */
export const WORK = join(ROOT, '.local', 'bench');
/** Raw results, one JSON file per section; docs/PERFORMANCE.md is rendered from them. */
export const RESULTS = join(ROOT, 'bench', 'results');
