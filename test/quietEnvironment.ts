/**
 * The jest environment for every test file: Node's, plus quiet output.
 *
 * What a test prints while it runs (console calls, and writes to process.stdout/stderr such as
 * Powertools' EMF metric lines and JSON log lines, which go to the streams and not through the
 * console) is held back, and shown after the test only if that test fails. Output at file level
 * (module scope, describe bodies, beforeAll/afterAll, e.g. the scenario suite's summary) and
 * console lines starting with `!!!` (the suite's loud-skip convention) print as before.
 *
 * The AWS SDK's Node-version notice is switched off with the SDK's own variable, in the tests'
 * environment only (children spawned with an explicit `{ ...process.env }` inherit it).
 */
import { format } from 'node:util';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

type Method = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const METHODS: readonly Method[] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
const LOUD = /^\s*!!!/;

function testName(test: Circus.TestEntry): string {
  const names: string[] = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}

export default class QuietEnvironment extends TestEnvironment {
  private held: string[] = [];
  private holding = false;
  private releaseConsole: (() => void) | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const proc = this.global.process;
    // @aws-sdk/core: "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true" skips the notice.
    proc.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Powertools builds its own Console on process.stdout/stderr at construction: these stand-ins
    // are what it finds. Everything but `write` is the real stream. A test may still put its own
    // `write` in place (and back): that one then gets the chunks, as it would on the real stream.
    for (const name of ['stdout', 'stderr'] as const) {
      const real = process[name];
      const holdingWrite = (chunk: unknown, ...rest: unknown[]): boolean => {
        if (!this.holding) return (real.write as (...a: unknown[]) => boolean).call(real, chunk, ...rest);
        this.held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return true;
      };
      let replaced: unknown;
      const stream = new Proxy(real, {
        get: (target, key) => (key === 'write' ? (replaced ?? holdingWrite) : (Reflect.get(target, key, target) as unknown)),
        set: (target, key, value) => {
          if (key !== 'write') return Reflect.set(target, key, value, target);
          replaced = value === holdingWrite ? undefined : value;
          return true;
        },
      });
      Object.defineProperty(proc, name, { value: stream, configurable: true, writable: true });
    }
  }

  /** While a test runs, its console (jest installs it after the constructor) holds its lines. */
  private holdConsole(): () => void {
    const c = this.global.console as Console;
    const saved = METHODS.map((m) => {
      const original = c[m];
      const held = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && LOUD.test(args[0])) return original.apply(c, args);
        this.held.push(`${format(...args)}\n`);
      };
      c[m] = held;
      return { m, original, held };
    });
    // Put back only what is still ours: a spy a test left behind stays the test's business.
    return () => {
      for (const { m, original, held } of saved) if (c[m] === held) c[m] = original;
    };
  }

  handleTestEvent(event: Circus.Event): void {
    switch (event.name) {
      case 'test_start':
        this.held = [];
        this.holding = true;
        this.releaseConsole = this.holdConsole();
        break;
      case 'test_done': {
        this.holding = false;
        this.releaseConsole?.();
        this.releaseConsole = undefined;
        const held = this.held.join('');
        this.held = [];
        if (event.test.errors.length > 0 && held.length > 0) {
          process.stderr.write(`\n--- output of the failed test "${testName(event.test)}" ---\n${held}${held.endsWith('\n') ? '' : '\n'}--- end of output ---\n`);
        }
        break;
      }
      default:
        break;
    }
  }
}
