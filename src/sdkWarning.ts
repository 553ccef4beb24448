/**
 * The AWS SDK (v3) warns once per process, over eight lines, that its releases after January 2027
 * will require Node >= 22. On Node 20 that buries the first screen of every drill, CLI and bench
 * run in a notice the operator cannot act on there. Our own entry points drop that one warning
 * and nothing else: every other warning (deprecations, experimental features, the SDK's others)
 * still reaches stderr. Lambda handlers keep it: there it belongs in the logs.
 */

const NAME = 'NodeVersionSupportWarning';

type EmitWarning = typeof process.emitWarning;

/** True for the SDK's Node-version notice, however it is passed (it sends it as the message text). */
export function isNodeVersionSupportWarning(warning: unknown, typeOrOptions?: unknown): boolean {
  if (warning instanceof Error) return warning.name === NAME || warning.message.startsWith(`${NAME}:`);
  if (typeof warning !== 'string') return false;
  const type = typeof typeOrOptions === 'string' ? typeOrOptions : (typeOrOptions as { type?: unknown } | undefined)?.type;
  return type === NAME || warning.startsWith(`${NAME}:`);
}

/** Wraps `target.emitWarning` (once) so that only the SDK's Node-version notice is dropped. */
export function dropNodeVersionSupportWarning(target: { emitWarning: EmitWarning } = process): void {
  const original = target.emitWarning as EmitWarning & { [NAME]?: true };
  if (original[NAME]) return;
  const filtered = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    if (isNodeVersionSupportWarning(warning, rest[0])) return;
    (original as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as EmitWarning & { [NAME]?: true };
  filtered[NAME] = true;
  target.emitWarning = filtered;
}
