/**
 * The probe's checks against real sockets on loopback: each failure mode ends at the right stage
 * with a short reason, within its budget, and leaves no socket behind (jest would report an open
 * handle). No timing assertions beyond "the budget was the cause".
 */
import { checkTarget } from '../../src/probe/check';
import { parseTargets } from '../../src/probe/targets';
import { CERT, httpsServer, refusingPort, type Running, silentTcp, tlsServer } from './servers';

const one = (raw: string) => parseTargets(raw)[0]!;
const running: Running[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});
async function started<T extends Running>(p: Promise<T>): Promise<T> {
  const r = await p;
  running.push(r);
  return r;
}

describe('checkTarget against local servers', () => {
  it('a refusing port fails at tcp with ECONNREFUSED', async () => {
    const port = await refusingPort();
    const r = await checkTarget(one(`tcp://127.0.0.1:${port}`), { timeoutMs: 2_000 });
    expect(r).toMatchObject({ ok: false, stage: 'tcp', error: 'ECONNREFUSED', target: `tcp://127.0.0.1:${port}` });
  });

  it('an accepting port passes a tcp:// check, with the connect time as its latency', async () => {
    const s = await started(silentTcp());
    const r = await checkTarget(one(`tcp://127.0.0.1:${s.port}`), { timeoutMs: 2_000 });
    expect(r).toMatchObject({ ok: true, stage: 'ok' });
    expect(r.error).toBeUndefined();
    expect(r.connectMs).toBeGreaterThanOrEqual(0);
  });

  it('a TLS handshake that never completes fails at tls by timeout', async () => {
    const s = await started(silentTcp());
    const r = await checkTarget(one(`tls://127.0.0.1:${s.port}`), { timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, stage: 'tls', error: 'timeout' });
    expect(r.ms).toBeGreaterThanOrEqual(290);
  });

  it('a self-signed certificate fails verification by default, and passes with its CA given', async () => {
    const s = await started(tlsServer());
    const untrusted = await checkTarget(one(`tls://localhost:${s.port}`), { timeoutMs: 2_000 });
    expect(untrusted).toMatchObject({ ok: false, stage: 'tls' });
    expect(untrusted.error).toMatch(/SELF_SIGNED|self.signed/i);
    const trusted = await checkTarget(one(`tls://localhost:${s.port}`), { timeoutMs: 2_000, ca: [CERT] });
    expect(trusted).toMatchObject({ ok: true, stage: 'ok' });
  });

  it('a certificate for another name fails even with the CA trusted', async () => {
    const s = await started(tlsServer('0.0.0.0'));
    // The fixture is for localhost and 127.0.0.1; 127.0.0.2 reaches the same server on loopback.
    const r = await checkTarget(one(`tls://127.0.0.2:${s.port}`), { timeoutMs: 2_000, ca: [CERT] });
    expect(r).toMatchObject({ ok: false, stage: 'tls' });
    expect(r.error).toMatch(/ALTNAME|IP/);
  });

  it.each([
    [200, true],
    [301, true],
    [404, true],
    [503, false],
    [500, false],
  ])('https answering %i is ok=%s (any answer below 500 came back through the path)', async (status, ok) => {
    const s = await started(httpsServer(status));
    const r = await checkTarget(one(`https://localhost:${s.port}/health?x=1`), { timeoutMs: 2_000, ca: [CERT] });
    expect(r.ok).toBe(ok);
    expect(r.stage).toBe(ok ? 'ok' : 'http');
    if (!ok) expect(r.error).toBe(`HTTP ${status}`);
    expect(s.requests).toEqual([`GET /health?x=1 host=localhost:${s.port}`]);
  });

  it('https that completes TLS but never answers fails at http by timeout', async () => {
    const s = await started(httpsServer(undefined));
    const r = await checkTarget(one(`https://localhost:${s.port}/`), { timeoutMs: 400, ca: [CERT] });
    expect(r).toMatchObject({ ok: false, stage: 'http', error: 'timeout' });
    expect(r.connectMs).toBeDefined();
  });

  it('a name that does not resolve fails at dns (resolver error or budget)', async () => {
    const r = await checkTarget(one('tls://does-not-exist.invalid:443'), { timeoutMs: 1_500 });
    expect(r).toMatchObject({ ok: false, stage: 'dns' });
  });
});
