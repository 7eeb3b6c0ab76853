// The `train` program: `node dist/train.js` (or `train` on the image's PATH).
import { main } from './training';

// StopTrainingJob sends SIGTERM; as the container's PID 1, Node would ignore it without a handler.
process.once('SIGTERM', () => {
  console.log('SIGTERM received, stopping training');
  process.exit(143);
});

void main(process.env).then((code) => {
  process.exitCode = code;
});
