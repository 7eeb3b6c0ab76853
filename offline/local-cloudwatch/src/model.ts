/**
 * The API model the local CloudWatch validates against: the official CloudWatch model of
 * @mlops/aws-models (monitoring-2010-08-01.json, trimmed to the alarm and metric operations) plus
 * the three tagging operations it leaves out. Their shapes are copied as they are in botocore's full
 * monitoring 2010-08-01 model (constraints intact), with the errors trimmed to the shapes present.
 */
import { type ApiModel, type Operation, type Shape, type ShapeRef, cloudWatchModel } from '@mlops/aws-models';

/** The model's members this package reads beyond aws-models' types (query serialization). */
export type ModelOperation = Operation & { output?: ShapeRef & { resultWrapper?: string } };
export type ModelShape = Shape & { xmlOrder?: string[]; flattened?: boolean };

const TAGGING_OPERATIONS: Record<string, ModelOperation> = {
  ListTagsForResource: {
    name: 'ListTagsForResource',
    http: { method: 'POST', requestUri: '/' },
    input: { shape: 'ListTagsForResourceInput' },
    output: { shape: 'ListTagsForResourceOutput', resultWrapper: 'ListTagsForResourceResult' },
    errors: [{ shape: 'InvalidParameterValueException' }, { shape: 'ResourceNotFoundException' }, { shape: 'InternalServiceFault' }],
  },
  TagResource: {
    name: 'TagResource',
    http: { method: 'POST', requestUri: '/' },
    input: { shape: 'TagResourceInput' },
    output: { shape: 'TagResourceOutput', resultWrapper: 'TagResourceResult' },
    errors: [{ shape: 'InvalidParameterValueException' }, { shape: 'ResourceNotFoundException' }, { shape: 'InternalServiceFault' }],
  },
  UntagResource: {
    name: 'UntagResource',
    http: { method: 'POST', requestUri: '/' },
    input: { shape: 'UntagResourceInput' },
    output: { shape: 'UntagResourceOutput', resultWrapper: 'UntagResourceResult' },
    errors: [{ shape: 'InvalidParameterValueException' }, { shape: 'ResourceNotFoundException' }, { shape: 'InternalServiceFault' }],
  },
};

const TAGGING_SHAPES: Record<string, ModelShape> = {
  AmazonResourceName: { type: 'string', min: 1, max: 1024 },
  TagKeyList: { type: 'list', member: { shape: 'TagKey' } },
  ListTagsForResourceInput: { type: 'structure', required: ['ResourceARN'], members: { ResourceARN: { shape: 'AmazonResourceName' } } },
  ListTagsForResourceOutput: { type: 'structure', members: { Tags: { shape: 'TagList' } } },
  TagResourceInput: { type: 'structure', required: ['ResourceARN', 'Tags'], members: { ResourceARN: { shape: 'AmazonResourceName' }, Tags: { shape: 'TagList' } } },
  TagResourceOutput: { type: 'structure', members: {} },
  UntagResourceInput: { type: 'structure', required: ['ResourceARN', 'TagKeys'], members: { ResourceARN: { shape: 'AmazonResourceName' }, TagKeys: { shape: 'TagKeyList' } } },
  UntagResourceOutput: { type: 'structure', members: {} },
  ResourceId: { type: 'string' },
  ResourceType: { type: 'string' },
  ResourceNotFoundException: { type: 'structure', members: { ResourceType: { shape: 'ResourceType' }, ResourceId: { shape: 'ResourceId' } }, exception: true },
};

export const model: ApiModel = {
  ...cloudWatchModel,
  operations: { ...cloudWatchModel.operations, ...TAGGING_OPERATIONS },
  shapes: { ...cloudWatchModel.shapes, ...TAGGING_SHAPES },
};

/** The service's Smithy shape name: the JSON protocol's target prefix and the CBOR path's service segment. */
export const SERVICE_NAME = cloudWatchModel.metadata.targetPrefix!;
export const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
export const API_VERSION = cloudWatchModel.metadata.apiVersion;
