/**
 * Real local servers for the probe's checks: a port that refuses, a TCP server that never speaks
 * TLS (a handshake that hangs), a TLS server with a self-signed certificate, and HTTPS servers
 * answering a given status or never answering. Loopback only; each on a free port.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export const CERT = readFileSync(join(__dirname, 'fixtures', 'localhost.crt'), 'utf8');
const KEY = readFileSync(join(__dirname, 'fixtures', 'localhost.key'), 'utf8');

export interface Running {
  readonly port: number;
  close(): Promise<void>;
}

function track(server: Server): Running & { sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    sockets,
    get port() {
      return (server.address() as AddressInfo).port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const listen = async (server: Server, host = '127.0.0.1'): Promise<void> => new Promise((resolve) => server.listen(0, host, () => resolve()));

/** A port nothing listens on: bound, read, closed. */
export async function refusingPort(): Promise<number> {
  const s = createServer();
  await listen(s);
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Accepts TCP and then says nothing: a TLS client waits for a ServerHello forever. */
export async function silentTcp(): Promise<Running> {
  const s = createServer(() => undefined);
  const r = track(s);
  await listen(s);
  return r;
}

/** `host`: where to listen; 0.0.0.0 lets 127.0.0.2 (a name the certificate lacks) reach it on Linux. */
export async function tlsServer(host = '127.0.0.1'): Promise<Running> {
  const s = createTlsServer({ cert: CERT, key: KEY }, (socket) => socket.end());
  const r = track(s);
  await listen(s, host);
  return r;
}

/** HTTPS answering `status` to every request, or (status undefined) never answering. */
export async function httpsServer(status: number | undefined): Promise<Running & { requests: string[] }> {
  const requests: string[] = [];
  const s = createHttpsServer({ cert: CERT, key: KEY }, (req, res) => {
    requests.push(`${req.method} ${req.url} host=${req.headers.host}`);
    if (status === undefined) return;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('x');
  });
  // https.Server's 'connection' is the raw TCP socket, as for net.Server.
  const r = track(s as unknown as Server);
  await listen(s as unknown as Server);
  return Object.assign(r, { requests });
}
