// zod/mini tree-shakes: the reconcile bundle stays small (full zod would add ~450 KB to it).
import * as z from 'zod/mini';
import type { PlanOverrides } from '../core/planner';
import type { ReconcileRequest } from './ports';
import { RequestError } from './requestError';

/**
 * The payload `manual` sends to `reconcile`. It is recognised by its marker key, so it can never
 * be mistaken for an EventBridge event, and checked as strictly as an operator's request:
 * anyone allowed to invoke reconcile could send it.
 */
export const INTERNAL_MARKER = 'nat-failover' as const;
export const INTERNAL_SOURCE = 'manual' as const;

const text = z.string().check(z.minLength(1), z.maxLength(256));
const schema = z.strictObject({
  [INTERNAL_MARKER]: z.literal(INTERNAL_SOURCE),
  action: z.enum(['failover', 'restore', 'release']),
  by: text,
  dryRun: z.boolean(),
  overrides: z.optional(
    z.strictObject({
      restoreNow: z.optional(z.array(z.strictObject({ az: text, force: z.boolean(), reason: text, by: text })).check(z.maxLength(100))),
    }),
  ),
});

export type InternalPayload = z.infer<typeof schema>;

export function toInternalPayload(r: ReconcileRequest): InternalPayload {
  return {
    [INTERNAL_MARKER]: INTERNAL_SOURCE,
    action: r.action,
    by: r.by,
    dryRun: r.dryRun,
    ...(r.overrides ? { overrides: { ...(r.overrides.restoreNow ? { restoreNow: [...r.overrides.restoreNow] } : {}) } } : {}),
  };
}

export const isInternalPayload = (event: unknown): boolean =>
  event !== null && typeof event === 'object' && INTERNAL_MARKER in (event as object);

/** The run request inside a manual payload; throws RequestError if the payload is malformed. */
export function parseInternalPayload(event: unknown): ReconcileRequest {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // RequestError bounds both: a key in the path can be any length.
    throw new RequestError(issue?.path.slice(0, 8).map(String).join('.') || 'request', issue?.message ?? 'invalid manual payload');
  }
  const p = parsed.data;
  const overrides: PlanOverrides | undefined = p.overrides?.restoreNow ? { restoreNow: p.overrides.restoreNow } : undefined;
  return { action: p.action, by: p.by, dryRun: p.dryRun, ...(overrides ? { overrides } : {}) };
}
