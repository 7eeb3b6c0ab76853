/**
 * The functions' way to the local services other than S3 (SageMaker, Step Functions, SQS,
 * CloudWatch): a forwarding front that answers a request signed on the emulated clock with a `Date`
 * on that clock, as the S3 front does (signing-clock.ts). Without it the services answer on the wall
 * clock, the SDK in a function sees a skew of minutes on every error, marks it clock-skew corrected
 * and retries it: a "does not exist" was sent five times, and each retry spent 14 of the client's
 * 500 retry tokens for good, until a warm function stopped retrying real throttles (the soak's
 * deploys failed so). Outside callers sign on the wall clock and keep the service's own `Date`.
 */
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { answerDate, type EmulatedClock } from './signing-clock';

export function startClockFront(target: () => string, clock: EmulatedClock): Promise<FaultProxy> {
  return startFaultProxy({ target, decide: () => ({ action: 'forward' }), answerHeaders: (request) => answerDate(request, clock) });
}
