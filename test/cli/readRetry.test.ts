/**
 * The CLI's reads (status, plan, --direct) retry throttles and transient faults, but a host that
 * does not exist or refuses connections fails after one try: a mistyped --region or --endpoint
 * is one clear error at once (before: 8 attempts, ~12-20 s, then "failed transiently"). The
 * functions keep retrying those (their default predicate).
 */
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { Ec2Adapter } from '../../src/aws/ec2';
import { CLI_READ_RETRY } from '../../src/cli/execute';
import { DEFAULT_RETRY, Retrier } from '../../src/retry';
import { recordingClock, sdkError } from '../aws/fakes';

const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ec2 = mockClient(client);
afterEach(() => ec2.reset());

const network = (code: string) => Object.assign(new Error(`getaddrinfo ${code} ec2.us-nowhere-1.amazonaws.com`), { code });

const FAULTS = {
  ENOTFOUND: { make: () => network('ENOTFOUND'), cli: 1, functions: DEFAULT_RETRY.maxAttempts },
  ECONNREFUSED: { make: () => network('ECONNREFUSED'), cli: 1, functions: DEFAULT_RETRY.maxAttempts },
  ECONNRESET: { make: () => network('ECONNRESET'), cli: DEFAULT_RETRY.maxAttempts, functions: DEFAULT_RETRY.maxAttempts },
  RequestLimitExceeded: { make: () => sdkError('RequestLimitExceeded', 503), cli: DEFAULT_RETRY.maxAttempts, functions: DEFAULT_RETRY.maxAttempts },
  InternalError: { make: () => sdkError('InternalError', 500), cli: DEFAULT_RETRY.maxAttempts, functions: DEFAULT_RETRY.maxAttempts },
  UnauthorizedOperation: { make: () => sdkError('UnauthorizedOperation', 403), cli: 1, functions: 1 },
} as const;

async function attempts(make: () => Error, options: ConstructorParameters<typeof Retrier>[3]): Promise<number> {
  ec2.reset();
  ec2.on(DescribeRouteTablesCommand).rejects(make());
  const adapter = new Ec2Adapter(client, new Retrier(recordingClock(), DEFAULT_RETRY, () => 0.5, options));
  await adapter.readRoutes(['rtb-1']).catch(() => undefined);
  return ec2.commandCalls(DescribeRouteTablesCommand).length;
}

describe('CLI reads: one try for an unreachable host, retries otherwise', () => {
  it.each(Object.keys(FAULTS) as (keyof typeof FAULTS)[])('%s', async (k) => {
    expect(await attempts(FAULTS[k].make, CLI_READ_RETRY)).toBe(FAULTS[k].cli);
    expect(await attempts(FAULTS[k].make, {})).toBe(FAULTS[k].functions);
  });

  it('any other error code behaves as in the functions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }).filter((c) => c !== 'ENOTFOUND' && c !== 'ECONNREFUSED'),
        async (code) => {
          expect(await attempts(() => network(code), CLI_READ_RETRY)).toBe(await attempts(() => network(code), {}));
        },
      ),
      { numRuns: 40 },
    );
  });
});
