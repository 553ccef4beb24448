/**
 * The manual actions by name, apart from request.ts's schema: the CLI's parser needs the names
 * without loading zod (its `--help` and refusals answer before any schema is built).
 */
export const ACTIONS = ['status', 'plan', 'failover', 'restore', 'release'] as const;
export type ActionName = (typeof ACTIONS)[number];
export const MUTATING: ReadonlySet<ActionName> = new Set(['failover', 'restore', 'release']);
