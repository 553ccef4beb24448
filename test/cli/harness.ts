/** Runs the CLI entry (main) in this process, capturing its output, with the SDK environment hidden. */
import { main } from '../../src/cli/main';

export function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

/**
 * The CLI must find the emulator through its own flags: the harness's endpoint and region are
 * removed for the call and the environment restored after it (main writes the flags into it).
 */
export async function runCli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  delete process.env.AWS_ENDPOINT_URL;
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
  const c = io();
  try {
    const code = await main(argv, c.io);
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
