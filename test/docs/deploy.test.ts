/**
 * The deploy guide says what the stack does: the error a user meets on a new account is quoted
 * verbatim (so searching for it finds the fix), the IAM table has no statement the stack lacks,
 * and the async-invoke values are the ones serverless.yml sets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const guide = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');

describe('docs/deploy.md', () => {
  it("quotes Lambda's reserved-concurrency error verbatim, with the check and the quota to raise", () => {
    const error = "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [10].";
    expect(guide).toContain(error);
    expect(guide).toContain('aws lambda get-account-settings');
    expect(guide).toContain('L-B99A9384');
    // serverless.yml says the same next to the setting (split over two comment lines there).
    expect(yml.replace(/\n\s*#\s*/g, ' ')).toContain(error);
    expect(yml).toMatch(/^\s+reservedConcurrency: 1$/m);
  });

  it('lists no natgateway/* grant (the stack has none)', () => {
    expect(guide).not.toContain('natgateway/*');
    expect(guide).not.toContain('RouteToNatGateways');
    expect(yml).not.toContain('natgateway/');
  });

  it('states the async-invoke limits serverless.yml sets', () => {
    const age = Number(/^\s+maximumEventAge: (\d+)$/m.exec(yml)?.[1]);
    const retries = Number(/^\s+maximumRetryAttempts: (\d+)$/m.exec(yml)?.[1]);
    expect(guide).toContain(`| \`maximumEventAge\` | ${age} s (${age / 60} min) |`);
    expect(guide).toContain(`| \`maximumRetryAttempts\` | ${retries} |`);
  });

  it('tells a v4 user the same file deploys, and why (build.esbuild: false)', () => {
    expect(guide).toContain('serverless deploy --stage prod --region eu-west-1       # or the Serverless Framework v4 (or v3)');
    expect(guide).toContain('PLUGIN_TYPESCRIPT_CONFLICT');
    expect(yml).toMatch(/^build:\n {2}esbuild: false$/m);
  });
});
