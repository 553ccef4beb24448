/**
 * test/quietEnvironment.ts must hide what passing tests print and never what failing ones print.
 * Runs jest itself on a throw-away test file with that environment and reads what reaches the
 * terminal (both streams).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

// The hidden strings are built at run time: jest's code frame of the failure quotes the source.
const FIXTURE = `
const hide = (s) => 'PASSING-' + s;
console.log('FILE-LEVEL-LINE');
test('passes noisily', () => {
  console.log(hide('CONSOLE'));
  console.error(hide('CONSOLE-ERROR'));
  process.stdout.write('{"_aws":"' + hide('EMF') + '"}\\n');
  console.warn('!!! SKIPPING-LOUD');
});
test('may put its own process.stdout.write in place, and back', () => {
  const mine = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => mine.push(String(chunk)) > 0;
  process.stdout.write('MINE');
  process.stdout.write = write;
  expect(mine).toEqual(['MINE']);
  process.stdout.write(hide('AFTER-RESTORE'));
});
test('fails noisily', () => {
  console.info('FAILING-CONSOLE %s', 'formatted');
  process.stdout.write('{"_aws":"FAILING-EMF"}\\n');
  expect(1).toBe(2);
});
test('passes quietly after a failure', () => {
  process.stderr.write('LATER-' + hide('STDERR') + '\\n');
});
`;

describe('quiet test environment', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nat-failover-quiet-'));
    writeFileSync(join(dir, 'noisy.test.js'), FIXTURE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a failing test its output, hides a passing one, keeps file-level and loud lines', () => {
    const config = {
      rootDir: ROOT,
      roots: [dir],
      testRegex: 'noisy\\.test\\.js$',
      testEnvironment: join(ROOT, 'test', 'quietEnvironment.ts'),
      transform: { '\\.ts$': ['ts-jest', { tsconfig: join(ROOT, 'tsconfig.json') }] },
      cacheDirectory: join(dir, 'cache'),
    };
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', JSON.stringify(config), '--ci'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status).toBe(1);
    expect(out).toMatch(/Tests:\s+1 failed, 3 passed, 4 total/);
    expect(out).toContain('--- output of the failed test "fails noisily" ---\nFAILING-CONSOLE formatted\n{"_aws":"FAILING-EMF"}\n--- end of output ---');
    for (const shown of ['FILE-LEVEL-LINE', '!!! SKIPPING-LOUD']) expect(out).toContain(shown);
    expect(out).not.toContain('PASSING-');
  });
});
