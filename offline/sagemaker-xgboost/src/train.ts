// The `train` program: `node --import tsx offline/sagemaker-xgboost/src/train.ts`.
import { main } from './training';

// StopTrainingJob sends SIGTERM; as the container's PID 1, Node would ignore it without a handler.
process.once('SIGTERM', () => {
  console.log('SIGTERM received, stopping training');
  process.exit(143);
});

void main(process.env).then((code) => {
  process.exitCode = code;
});
