// A Lambda context for invoking a handler outside Lambda. CommonJS so that the bench workers, which
// run in plain Node (no TypeScript loader, so RSS is the work's own), load the same one the tests do.
function lambdaContextFor(functionName, { memoryLimitInMB = 512, timeoutSeconds = 30 } = {}) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryLimitInMB),
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => timeoutSeconds * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

module.exports = { lambdaContextFor };
