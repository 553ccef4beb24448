import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const drill = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'drill.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('drill command line', () => {
  it('rejects an unknown flag with one line and the usage, exit 2', () => {
    const r = drill('--frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^drill: Unknown option '--frobnicate'/), expect.stringMatching(/^usage: /)]);
    expect(r.stdout).toBe('');
  });

  it('rejects an unknown scenario, exit 2', () => {
    const r = drill('--scenario', 'no-such-thing');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^drill: unknown scenario "no-such-thing" \(see --list\)/);
  });

  it('lists every scenario with its one-line summary', () => {
    const r = drill('--list');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines[0]).toMatch(/^az-outage\s+AZ a/);
  });
});
