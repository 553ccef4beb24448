'use strict';
/**
 * Lets osls (and v3) validate serverless.yml strictly although it carries v4's top-level `build`
 * key. v4 refuses serverless-esbuild unless `build.esbuild` is false (PLUGIN_TYPESCRIPT_CONFLICT);
 * osls rejects a top-level key its schema does not know while configValidationMode is `error`
 * (its default). Declaring `build` through the documented plugin schema API
 * (configSchemaHandler.defineTopLevelProperty) keeps strict validation for everything else and
 * pins the one value we support. v4 already defines `build` (its own esbuild settings): there
 * this plugin does nothing.
 */
class DeclareBuildKey {
  constructor(serverless) {
    const handler = serverless.configSchemaHandler;
    if (!handler || typeof handler.defineTopLevelProperty !== 'function') return;
    if (handler.schema && handler.schema.properties && handler.schema.properties.build) return;
    try {
      handler.defineTopLevelProperty('build', {
        type: 'object',
        properties: { esbuild: { const: false } },
        required: ['esbuild'],
        additionalProperties: false,
      });
    } catch {
      // A CLI that already owns `build` in another way: its own validation applies. On osls a
      // missing declaration still fails loudly ("unrecognized property 'build'"), never silently.
    }
  }
}

module.exports = DeclareBuildKey;
