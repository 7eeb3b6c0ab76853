// @mlops/common/lambda: what only a running function needs: the middy handler wiring, the
// Powertools logger and metrics, and the SDK clients built once per container.
export * from './clients';
export * from './handler';
export * from './observability';
