/**
 * A hung connection must fail fast as a transient fault, not spend the Lambda's whole 60 s: the
 * SDK's default is to wait forever, and `requestTimeout` alone only logs a warning.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientConfig } from '../../src/aws/clientConfig';
import { Ec2Adapter } from '../../src/aws/ec2';
import { TransientError } from '../../src/errors';
import { Retrier } from '../../src/retry';

describe('SDK client timeouts', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    // Accepts the connection and the request, and never answers.
    server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('turns a request that never gets an answer into a TransientError the Retrier can retry', async () => {
    const client = new EC2Client({ ...clientConfig(300), region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const retry = new Retrier({ now: () => new Date(0), sleep: async () => {} }, { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
    const ec2 = new Ec2Adapter(client, retry);

    await expect(ec2.describeZones()).rejects.toBeInstanceOf(TransientError);
    expect(retry.stats.calls).toBe(2);
    expect(retry.stats.retries).toBe(1);
  });

  it('opts in to thrown request timeouts and keeps SDK retries off', () => {
    expect(clientConfig()).toStrictEqual({
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
    });
  });
});
