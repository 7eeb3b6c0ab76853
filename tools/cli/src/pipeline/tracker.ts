// The tracker lives in @mlops/report, shared with `pnpm mlops report`.
export { ExecutionTracker, type PollView } from '@mlops/report';
