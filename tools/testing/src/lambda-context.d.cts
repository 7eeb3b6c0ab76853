import type { Context } from 'aws-lambda';

export declare function lambdaContextFor(functionName: string, options?: { memoryLimitInMB?: number; timeoutSeconds?: number }): Context;
