import type { Scenario } from './scenario';

export async function runOnEmulator(_s: Scenario, _endpoint: string, _out: string): Promise<number> {
  throw new Error('not yet');
}
