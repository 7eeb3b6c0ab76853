export type {
  AslChoiceRule,
  AslDefinition,
  AslState,
  EndpointCheck,
  EvaluationReport,
  ExecutionStatus,
  Histogram,
  JobSummary,
  JobTransition,
  RunReport,
  StepTiming,
} from './types';
export { renderReportHtml } from './html';
export { writeReport } from './write';
export {
  describeChoiceRule,
  layoutStateMachine,
  renderStateMachineSvg,
  stateEdges,
  STATE_TYPE_STYLES,
  typeStyle,
  type EdgeKind,
  type StateEdge,
  type StateMachineLayout,
  type StateMachineSvgOptions,
} from './state-machine';
export {
  confusionMatrixSvg,
  downsample,
  histogram,
  histogramSvg,
  jobTimelineSvg,
  linearScale,
  mixColor,
  niceStep,
  niceTicks,
  predictedVsActualSvg,
  residualHistogram,
  residualsVsPredictedSvg,
  scatterSvg,
  statusColor,
  ticksWithin,
  type ConfusionMatrixOptions,
  type Domain,
  type HistogramOptions,
  type ScatterOptions,
} from './charts';
export { escapeHtml, formatDuration, formatInt, formatNumber, formatPercent, formatTimestamp } from './format';
export { ExecutionTracker, type PollView, type TrackedHistoryEvent } from './tracker';
