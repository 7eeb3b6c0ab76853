/** Test helpers for code that calls SageMaker: AWS-shaped errors and request validation against the official API model. */
import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { type ApiModel, formatValidationMessage, sageMakerModel, validateRequest } from '@mlops/aws-models';

/** An error as the SDK throws it for a SageMaker error code (modeled or not). */
export function awsError(name: string, message: string, httpStatusCode = 400): SageMakerServiceException {
  return new SageMakerServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** Asserts every request the mock received is valid for its operation in `model` (SageMaker's by default), unknown members included. */
export function expectRequestsValid(mock: { calls(): { args: unknown[] }[] }, model: ApiModel = sageMakerModel): void {
  for (const call of mock.calls()) {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    const operation = command.constructor.name.replace(/Command$/, '');
    const issues = validateRequest(model, operation, command.input, { rejectUnknownMembers: true });
    expect({ operation, errors: issues.length ? formatValidationMessage(issues) : 'none' }).toEqual({ operation, errors: 'none' });
  }
}
