// The image's ENTRYPOINT: `node /opt/program/dist/preprocess.js profile|split` (the mode comes as
// the processing job's ContainerArguments). SAGEMAKER_BASE_DIR stands in for /opt/ml offline.
import { runMode } from './preprocess';

void runMode(process.argv[2], process.env.SAGEMAKER_BASE_DIR ?? '/opt/ml').then((code) => {
  process.exitCode = code;
});
