/**
 * Unit tests call the functions' core logic directly, outside the handler that a Lambda's
 * environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL from serverless.yml) would configure,
 * so the shared Powertools logger, created when a module is first imported, printed stray JSON
 * lines named "service_undefined" into the test output. Runs before any test module is imported;
 * a test that asserts on logs sets its own level.
 */
process.env.POWERTOOLS_SERVICE_NAME ??= 'unit-test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
