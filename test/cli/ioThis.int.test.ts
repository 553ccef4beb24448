/**
 * `Io` declares `out` and `err` as methods, so a caller may pass a class whose methods use `this`.
 * main() must call them as methods: a detached `(ok ? io.out : io.err)(...)` loses `this` and
 * throws after the action has already run. Found by @typescript-eslint/unbound-method.
 */
import { type Io, main } from '../../src/cli/main';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';

class BufferIo implements Io {
  readonly lines: string[] = [];
  out(text: string): void {
    this.lines.push(`out: ${text}`);
  }
  err(text: string): void {
    this.lines.push(`err: ${text}`);
  }
}

describeWithMoto('CLI with a class-based Io', () => {
  let moto: Moto;
  useMoto((m) => (moto = m));

  it('prints the rendered result through io.out', async () => {
    const io = new BufferIo();
    const code = await main(['status', '--endpoint', moto.endpoint, '--region', 'us-east-1'], io, { ...process.env });
    expect(code).toBe(0);
    expect(io.lines).toHaveLength(1);
    expect(io.lines[0]).toMatch(/^out: nat-failover status at /);
    // An empty region: the rendered status says nothing is managed, then lists the (no) gateways.
    expect(io.lines[0]).toContain('\nno managed route tables in this region');
    expect(io.lines[0]).toContain('\nGATEWAYS\n');
  });
});
