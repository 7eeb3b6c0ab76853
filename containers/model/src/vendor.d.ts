// Type declarations for the mljs packages that ship none. Only the members
// this package (src/ and bench/) uses are declared.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  export interface LogisticRegressionOptions {
    numSteps?: number;
    learningRate?: number;
  }

  export default class LogisticRegression {
    constructor(options?: LogisticRegressionOptions);
    train(features: Matrix, labels: Matrix): void;
    predict(features: Matrix): number[];
    toJSON(): object;
    static load(model: unknown): LogisticRegression;
  }
}

declare module 'ml-naivebayes' {
  export class GaussianNB {
    train(features: number[][], labels: number[]): void;
    predict(features: number[][]): number[];
  }
}

declare module 'ml-knn' {
  export default class KNN {
    constructor(features: number[][], labels: number[], options?: { k?: number });
    predict(features: number[][]): number[];
  }
}

declare module 'ml-cart' {
  export interface CartOptions {
    maxDepth?: number;
    minNumSamples?: number;
  }

  export class DecisionTreeRegression {
    constructor(options?: CartOptions);
    train(features: number[][], values: number[]): void;
    predict(features: number[][]): number[];
  }

  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    train(features: number[][], labels: number[]): void;
    predict(features: number[][]): number[];
  }
}
