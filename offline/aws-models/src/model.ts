import sagemaker from '../models/sagemaker-2017-07-24.json';
import sagemakerRuntime from '../models/sagemaker-runtime-2017-05-13.json';
import stepfunctions from '../models/stepfunctions-2016-11-23.json';
import sqs from '../models/sqs-2012-11-05.json';
import cloudwatch from '../models/monitoring-2010-08-01.json';
import sagemakerWaiters from '../models/sagemaker-2017-07-24.waiters.json';

/** The subset of the botocore/Smithy JSON model format these files use. */
export interface ShapeRef {
  shape: string;
  flattened?: boolean;
  location?: string;
  locationName?: string;
}
export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
  sensitive?: boolean;
}
export interface Operation {
  name: string;
  http: { method: string; requestUri: string };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
}
export interface ApiModel {
  metadata: { targetPrefix?: string; jsonVersion?: string; protocol: string; serviceId: string; apiVersion: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}
export interface Waiter {
  delay: number;
  maxAttempts: number;
  operation: string;
  acceptors: { matcher: string; argument?: string; state: string; expected: string | boolean }[];
}

export const sageMakerModel = sagemaker as unknown as ApiModel;
export const sageMakerRuntimeModel = sagemakerRuntime as unknown as ApiModel;
export const stepFunctionsModel = stepfunctions as unknown as ApiModel;
export const sqsModel = sqs as unknown as ApiModel;
export const cloudWatchModel = cloudwatch as unknown as ApiModel;
export const sageMakerWaiters = (sagemakerWaiters as unknown as { waiters: Record<string, Waiter> }).waiters;

export function getOperation(model: ApiModel, operation: string): Operation {
  const op = model.operations[operation];
  if (!op) throw new Error(`${model.metadata.serviceId} has no operation ${operation} in its API model`);
  return op;
}

export function getShape(model: ApiModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`${model.metadata.serviceId} API model has no shape ${name}`);
  return shape;
}
