import 'aws-sdk-client-mock-jest';

// Powertools loggers are built at import; keep test output readable unless asked otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
