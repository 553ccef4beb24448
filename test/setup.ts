import 'aws-sdk-client-mock-jest';

// Powertools loggers are built at import; keep test output readable unless asked otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// The suite runs on the Lambda runtime's Node major (.nvmrc; .ci/run fetches it), where the AWS
// SDK's Node-version notice cannot appear. Run on an older Node by hand, the SDK's own switch keeps
// that notice out of the stderr the CLI tests assert on (children inherit this environment).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
