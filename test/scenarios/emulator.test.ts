import { runOnEmulator } from '../../src/sim/emulator';
import { findScenario } from '../../src/sim/scenarios';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describeWithMoto('drill --endpoint (moto, through the real AWS adapter)', () => {
  let moto: Moto;
  const out = mkdtempSync(join(tmpdir(), 'drill-'));
  useMoto((m) => (moto = m));

  it('fails a deleted gateway\'s table over on the emulator and grades the expectations', async () => {
    const lines: string[] = [];
    const code = await runOnEmulator(findScenario('nat-deleted')!, moto.endpoint, out, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/FAILOVER rtb-a1 0\.0\.0\.0\/0: nat-a -> nat-b/);
    expect(text).toMatch(/PASS {2}us-east-1a's tables on a healthy gateway/);
    expect(code).toBe(0);
    expect(existsSync(join(out, 'drill-nat-deleted-emulator.html'))).toBe(true);
  });

  it('judges packet drops from metrics written with PutMetricData, in its own VPC only', async () => {
    const lines: string[] = [];
    const code = await runOnEmulator(findScenario('packet-drops')!, moto.endpoint, out, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/nat-a: packet-drop ratio above/);
    expect(text).toMatch(/RESTORE +rtb-a1/);
    // The previous test's VPC (deleted nat-a) is still in the emulator; it must not show up here.
    expect(text).not.toMatch(/gateway state is deleted/);
    expect(code).toBe(0);
  });

  it('lists faults it cannot express and does not grade the scenario', async () => {
    const lines: string[] = [];
    const code = await runOnEmulator({ ...findScenario('az-impaired')!, minutes: 3 }, moto.endpoint, out, (l) => lines.push(l));
    expect(lines[0]).toMatch(/^skipped \(the emulator cannot express it\): us-east-1a is impaired/);
    expect(lines.join('\n')).not.toMatch(/PASS|FAIL/);
    expect(code).toBe(0);
  });
});

describe('drill --endpoint without an emulator', () => {
  it('says in one line that the endpoint is unreachable', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    await expect(runOnEmulator(findScenario('nat-deleted')!, `http://127.0.0.1:${port}`, tmpdir(), () => {})).rejects.toThrow(
      /^cannot reach the emulator at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });
});
