import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProbeCheckResult, ProbeStage } from '../core/probe';
import { oneLine } from '../errors';
import type { ProbeTarget } from './targets';

/** One check's result, plus what the latency metric needs (never sent in the verdict). */
export interface CheckOutcome extends ProbeCheckResult {
  /** Milliseconds to TCP connect (tcp://) or to the end of the TLS handshake (tls://, https://). */
  readonly connectMs?: number;
}

export interface CheckOptions {
  /** The whole check's budget: DNS, connect, handshake and (https) the response's status line. */
  readonly timeoutMs: number;
  /**
   * Trusted CA certificates, PEM. Undefined: Node's bundled roots. Verification is never switched
   * off: a probe that accepts any certificate would call an intercepted path healthy.
   */
  readonly ca?: string | readonly string[];
}

const MAX_STATUS_BYTES = 1_024;

/**
 * Checks one target through whatever route this process has (in the probe subnet: the home NAT
 * gateway). Never throws and never outlives its budget: every socket is destroyed on the way out.
 */
export function checkTarget(target: ProbeTarget, options: CheckOptions): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let stage: ProbeStage = isIP(target.host) === 0 ? 'dns' : 'tcp';
  let connectMs: number | undefined;
  let raw: Socket | undefined;
  let tls: TLSSocket | undefined;

  return new Promise<CheckOutcome>((resolve) => {
    let done = false;
    const finish = (ok: boolean, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls?.destroy();
      raw?.destroy();
      resolve({
        target: target.raw,
        ok,
        stage: ok ? 'ok' : stage,
        ms: elapsed(),
        ...(error !== undefined ? { error: oneLine(error, 80) } : {}),
        ...(connectMs !== undefined ? { connectMs } : {}),
      });
    };
    const failOn = (e: Error & { code?: string }): void => finish(false, e.code ?? e.message);
    const timer = setTimeout(() => finish(false, 'timeout'), options.timeoutMs);

    raw = new Socket();
    raw.on('error', failOn);
    raw.once('lookup', (err) => {
      if (!err) stage = 'tcp';
    });
    raw.once('connect', () => {
      connectMs = elapsed();
      if (target.kind === 'tcp') return finish(true);
      stage = 'tls';
      tls = tlsConnect({
        socket: raw,
        // SNI only for names (RFC 6066 forbids IP literals in server_name); the certificate is
        // still checked against the host either way.
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
        host: target.host,
        ...(options.ca !== undefined ? { ca: options.ca as string | string[] } : {}),
        rejectUnauthorized: true,
        ALPNProtocols: target.kind === 'https' ? ['http/1.1'] : undefined,
      });
      tls.on('error', failOn);
      tls.once('secureConnect', () => {
        connectMs = elapsed();
        if (target.kind === 'tls') return finish(true);
        stage = 'http';
        httpStatus(tls!, target, (status, error) => {
          if (status === undefined) return finish(false, error ?? 'no response');
          // Any answer below 500 came back through the path; a 5xx means the target itself is sick.
          return status < 500 ? finish(true) : finish(false, `HTTP ${status}`);
        });
      });
    });
    raw.connect({ host: target.host, port: target.port });
  });
}

/** Sends one GET and reads only the status line (`HTTP/1.1 503 …`): no body, no redirects. */
function httpStatus(socket: TLSSocket, target: ProbeTarget, done: (status?: number, error?: string) => void): void {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const hostHeader = target.port === 443 ? host : `${host}:${target.port}`;
  let head = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    head += chunk;
    const eol = head.indexOf('\r\n');
    if (eol < 0 && head.length < MAX_STATUS_BYTES) return;
    const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(head.slice(0, eol < 0 ? MAX_STATUS_BYTES : eol));
    done(m ? Number(m[1]) : undefined, m ? undefined : 'not an HTTP response');
  });
  socket.once('end', () => done(undefined, 'closed before a status line'));
  socket.write(`GET ${target.path ?? '/'} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: nat-failover-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
}
