import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { loadProbeConfig } from '../src/probe/config';
import type { ProbePlacement } from '../src/probe/ports';
import { probeRunner } from '../src/lambda/probeWiring';
import { MINUTES_PER_MONTH, PRICES } from './cost';
import { PLATFORM_LINES } from './telemetry';

/**
 * The probe function's monthly cost per AZ (one function per probe subnet, one invocation a
 * minute, healthy all month). What is measured here: the handler's own time for a healthy
 * invocation (three TLS targets on loopback: CPU, sockets, handshakes), and the bytes of its one
 * log line. What is modelled: the network round trips the loopback lacks.
 */
export const PROBE_ASSUMPTIONS = {
  targets: 3,
  memoryMb: 128,
  architecture: 'arm64' as const,
  /** Round trip from the probe subnet through the NAT gateway to a target. Conservative for CDN-fronted targets in-region. */
  rttMs: 100,
  /** Round trips of a healthy tls:// check: TCP connect 1 + TLS 1.2 handshake 2 (TLS 1.3 needs 1). The targets run in parallel. */
  roundTripsPerCheck: 3,
  /** Bytes through the NAT gateway per TLS check, both ways (handshake with a typical 3-4 KB certificate chain). */
  natBytesPerCheck: 8 * 1024,
  /** NAT gateway data processing, per GB (us-east-1, aws.amazon.com/vpc/pricing). */
  natPerGb: 0.045,
  /**
   * Lambda gives CPU in proportion to memory, one vCPU at 1,769 MB (Lambda guide, "Configure
   * Lambda function memory"): the measured time (one full core here, and it includes the loopback
   * servers' half of every handshake, so it is an overestimate) is scaled by 1769 / memoryMb.
   */
  fullVcpuMb: 1769,
  /** ProbeFailed, one series per AZ (the contract, src/core/probe.ts; the latency is a log property, not a metric). */
  metricSeries: 1,
};

const KEY = readFileSync(join(__dirname, '..', 'test', 'probe', 'fixtures', 'localhost.key'), 'utf8');
const CERT = readFileSync(join(__dirname, '..', 'test', 'probe', 'fixtures', 'localhost.crt'), 'utf8');

const usd = (x: number): number => Math.round(x * 10_000) / 10_000;

async function tlsServers(n: number): Promise<{ ports: number[]; close: () => Promise<void> }> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer({ cert: CERT, key: KEY }, (sock) => sock.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    servers.push(s);
  }
  return { ports: servers.map((s) => (s.address() as AddressInfo).port), close: async () => void (await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))) };
}

export interface ProbeCost {
  readonly perAzMonthlyUsd: number;
  readonly functionOnlyUsd: number;
  readonly measuredHandlerMsMedian: number;
  readonly billedMsPerInvocation: number;
  readonly logBytesPerInvocation: number;
  readonly items: Record<string, { usd: number; basis: string }>;
  readonly assumptions: typeof PROBE_ASSUMPTIONS;
}

export async function probeCost(runs = 40): Promise<ProbeCost> {
  const a = PROBE_ASSUMPTIONS;
  const servers = await tlsServers(a.targets);
  const placement: ProbePlacement = { subnetId: 'subnet-0a1b2c3d', vpcId: 'vpc-0a1b2c3d', availabilityZone: 'us-east-1a', routeTableId: 'rtb-1', natGatewayId: 'nat-1', natGatewayAz: 'us-east-1a', routeTableTagKeys: [], usesMainTable: false };
  const config = loadProbeConfig({ PROBE_SUBNET_ID: placement.subnetId, RECONCILE_FUNCTION_NAME: 'r', PROBE_TARGETS: servers.ports.map((p) => `tls://localhost:${p}`).join(',') });
  const lines: string[] = [];
  const run = probeRunner(config, { cloud: { placement: async () => placement, notifyReconcile: async () => undefined }, ca: [CERT], emit: (l) => lines.push(l), warn: () => undefined });
  const ms: number[] = [];
  try {
    await run(); // warm: the placement read and first TLS contexts, as a warm container has them
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = await run();
      ms.push(performance.now() - t);
      if (r.verdict !== 'ok') throw new Error('bench probe round failed on loopback');
    }
  } finally {
    await servers.close();
  }
  ms.sort((x, y) => x - y);
  const measured = Math.round((ms[Math.floor(ms.length / 2)] ?? 0) * 10) / 10;
  const cpuMs = measured * (a.fullVcpuMb / a.memoryMb);
  const billedMs = Math.ceil(cpuMs + a.rttMs * a.roundTripsPerCheck);
  const lineBytes = Buffer.byteLength(lines.at(-1) ?? '', 'utf8');
  const requestUsd = (MINUTES_PER_MONTH / 1e6) * PRICES.lambdaPerMillionRequests;
  const computeUsd = MINUTES_PER_MONTH * (billedMs / 1000) * (a.memoryMb / 1024) * PRICES.lambdaPerGbSecond[a.architecture];
  const logBytes = (lineBytes + PLATFORM_LINES.bytes) * MINUTES_PER_MONTH + (1 + PLATFORM_LINES.events) * MINUTES_PER_MONTH * PRICES.logEventOverheadBytes;
  const logsUsd = (logBytes / 1024 ** 3) * (PRICES.logsIngestionPerGb + PRICES.logsStoragePerGbMonth);
  const natGb = (a.targets * a.natBytesPerCheck * MINUTES_PER_MONTH) / 1024 ** 3;
  const items = {
    lambda: { usd: usd(requestUsd + computeUsd), basis: `${MINUTES_PER_MONTH} invocations, ${billedMs} ms billed (${measured} ms measured on a full core x ${(a.fullVcpuMb / a.memoryMb).toFixed(1)} for ${a.memoryMb} MB's CPU share + ${a.roundTripsPerCheck} x ${a.rttMs} ms modelled round trips), ${a.memoryMb} MB ${a.architecture}` },
    logs: { usd: usd(logsUsd), basis: `${(logBytes / 1024 ** 2).toFixed(1)} MB/month: one ${lineBytes}-byte EMF line + ${PLATFORM_LINES.events} platform lines an invocation` },
    natDataProcessing: { usd: usd(natGb * a.natPerGb), basis: `${natGb.toFixed(2)} GB/month through the home NAT gateway (${a.targets} checks x ${a.natBytesPerCheck / 1024} KB a minute) at $${a.natPerGb}/GB` },
    apiRequests: { usd: 0, basis: 'none when healthy: metrics go out as EMF log lines (no PutMetricData); describes once per cold start (free); Invoke only on a failed verdict' },
    metricSeries: { usd: usd(a.metricSeries * PRICES.customMetricPerMonth), basis: `${a.metricSeries} custom metric per AZ (ProbeFailed, dimensions VpcId+AvailabilityZone; ProbeLatencyMs is a log property) at $${PRICES.customMetricPerMonth} each` },
  };
  const functionOnlyUsd = usd(items.lambda.usd + items.logs.usd + items.natDataProcessing.usd + items.apiRequests.usd);
  return {
    perAzMonthlyUsd: usd(functionOnlyUsd + items.metricSeries.usd),
    functionOnlyUsd,
    measuredHandlerMsMedian: measured,
    billedMsPerInvocation: billedMs,
    logBytesPerInvocation: lineBytes,
    items,
    assumptions: a,
  };
}
