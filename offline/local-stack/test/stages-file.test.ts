/** `pnpm local:up`'s stage selection and the validation of `.local/stages.json`. */
import { localStagesFile, stagesFrom } from '../src/stages-file';

describe('stagesFrom', () => {
  it('defaults to local', () => {
    expect(stagesFrom([], {})).toEqual(['local']);
  });
  it('reads MLOPS_STAGES as a comma list', () => {
    expect(stagesFrom([], { MLOPS_STAGES: 'local, localprod' })).toEqual(['local', 'localprod']);
  });
  it('prefers repeated --stage (and --stage=) over MLOPS_STAGES, keeping order, once each', () => {
    expect(stagesFrom(['--stage', 'localprod', '--stage=local', '--stage', 'localprod'], { MLOPS_STAGES: 'x' })).toEqual(['localprod', 'local']);
  });
  it('refuses --stage without a value and an empty MLOPS_STAGES', () => {
    expect(() => stagesFrom(['--stage'], {})).toThrow('--stage needs a stage name');
    expect(() => stagesFrom([], { MLOPS_STAGES: ' , ' })).toThrow('no stage to host');
  });
});

describe('localStagesFile', () => {
  const outputs = {
    DataBucketName: 'mlops-local-data',
    PipelineStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline',
    DeployStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-deploy',
    NamePrefix: 'mlops-local',
    RunsPrefix: 'runs/',
    ApprovalPolicy: 'auto',
  };
  const stack = (stageOutputs: Record<string, string>) => ({
    resources: { region: 'us-east-1' } as never,
    endpoints: { s3: 'http://127.0.0.1:1', sagemaker: 'http://127.0.0.1:2', stepfunctions: 'http://127.0.0.1:3', sqs: 'http://127.0.0.1:4', lambda: 'http://127.0.0.1:5', cloudwatch: 'http://127.0.0.1:6' },
    stageNames: ['local'],
    stages: { local: { outputs: stageOutputs } } as never,
  });

  it('keeps the StageOutputs of each stage (other outputs are left out)', () => {
    expect(localStagesFile(stack({ ...outputs, IncomingPrefix: 'incoming/' }))).toEqual({
      version: 1,
      region: 'us-east-1',
      endpoints: { s3: 'http://127.0.0.1:1', sagemaker: 'http://127.0.0.1:2', stepfunctions: 'http://127.0.0.1:3', sqs: 'http://127.0.0.1:4', lambda: 'http://127.0.0.1:5', cloudwatch: 'http://127.0.0.1:6' },
      stages: { local: outputs },
    });
  });

  it('refuses outputs that do not fit the schema, naming the stage', () => {
    expect(() => localStagesFile(stack({ ...outputs, ApprovalPolicy: 'sometimes' }))).toThrow(/^stage local: its CloudFormation Outputs do not fit StageOutputsSchema/);
    const { DeployStateMachineArn: _d, ...missing } = outputs;
    expect(() => localStagesFile(stack(missing))).toThrow(/stage local/);
  });
});
