import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

// Feature scaling glue around the mljs estimators, which expect it done.

export interface Standardisation {
  mean: number[];
  /** Population standard deviation; 1 for constant columns so they map to 0. */
  scale: number[];
}

export function fitStandardisation(rows: number[][]): Standardisation {
  const columns = new Matrix(rows);
  const mean = columns.mean('column');
  const scale = columns
    .variance('column', { mean, unbiased: false })
    .map((variance) => (variance > 0 ? Math.sqrt(variance) : 1));
  return { mean, scale };
}

export function standardise(row: number[], { mean, scale }: Standardisation): number[] {
  return row.map((value, j) => (value - mean[j]!) / scale[j]!);
}

/** Eigenvalues below this fraction of the largest are treated as exact collinearity (e.g. one-hot columns). */
const RANK_TOLERANCE = 1e-9;

/**
 * PCA whitening of standardised rows: a d x k projection onto uncorrelated,
 * unit-variance directions, dropping null directions. Plain gradient descent
 * (all ml-logistic-regression does) is slow on correlated features such as
 * abalone's weights; whitened, it converges in tens of steps (see bench/).
 */
export function fitWhitening(standardisedRows: number[][]): number[][] {
  const z = new Matrix(standardisedRows);
  const covariance = z.transpose().mmul(z).div(z.rows);
  const { realEigenvalues, eigenvectorMatrix } = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
  const largest = Math.max(0, ...realEigenvalues);
  const kept = realEigenvalues.flatMap((value, i) => (value > largest * RANK_TOLERANCE ? [i] : []));
  return eigenvectorMatrix.to2DArray().map((row) => kept.map((i) => row[i]! / Math.sqrt(realEigenvalues[i]!)));
}

export function project(row: number[], projection: number[][]): number[] {
  const width = projection[0]?.length ?? 0;
  const out = new Array<number>(width).fill(0);
  for (let j = 0; j < row.length; j++) {
    const value = row[j]!;
    const weights = projection[j]!;
    for (let k = 0; k < width; k++) out[k]! += value * weights[k]!;
  }
  return out;
}
