import * as z from 'zod';
import { parseInstant } from '../core/time';
import { quoted } from '../errors';
import { ACTIONS, type ActionName } from './actionNames';
import { RequestError } from './requestError';

export { RequestError };

/**
 * The `manual` function's request, checked for shape before anything is read or written. Checks
 * that need the world (does the AZ exist, is the target healthy) live in resolve.ts.
 */

export { ACTIONS, type ActionName, MUTATING } from './actionNames';

// AZ names (us-east-1a, us-gov-west-1b, us-east-1-bos-1a) and AZ ids (use1-az1, usw2-lax1-az1).
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$|^[a-z]{2}(-[a-z]+)+-\d+(-[a-z0-9]+)+[a-z]$/;
const AZ_ID = /^[a-z]{2,5}\d+(-[a-z0-9]+)?-az\d+$/;
const NAT_ID = /^nat-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
// Free text ends up in tags, logs and pager subjects: printable, no control characters.
const TEXT = /^[^\p{Cc}]+$/u;

const az = z.string().refine((v) => AZ_NAME.test(v) || AZ_ID.test(v), { message: 'expected an AZ name (us-east-1a) or AZ id (use1-az1)' });
const nat = z.string().regex(NAT_ID, { message: 'expected a NAT gateway id (nat-…)' });
const vpc = z.string().regex(VPC_ID, { message: 'expected a VPC id (vpc-…)' });
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `at most ${max} characters` })
    .regex(TEXT, { message: 'must not contain control characters' });
// The one strict reader of instants (core/time.ts), as for the pin tag's `until=` it becomes: full ISO
// 8601 in UTC that round-trips, so 2027-02-30 is refused rather than rolled into March and a bare
// local time cannot mean different instants to the CLI and to the function.
const instant = z.string().refine((v) => parseInstant(v) !== undefined, {
  message: 'expected an ISO 8601 time in UTC that exists, e.g. 2026-11-23T18:00:00Z',
});

const common = { by: text(64).optional(), dryRun: z.boolean().optional() };

const schemas = {
  status: z.strictObject({ action: z.literal('status'), vpcId: vpc.optional() }),
  plan: z.strictObject({ action: z.literal('plan'), vpcId: vpc.optional() }),
  failover: z
    .strictObject({
      action: z.literal('failover'),
      az: az.optional(),
      gateway: nat.optional(),
      vpcId: vpc.optional(),
      target: nat.optional(),
      reason: text(200),
      expiresAt: instant.optional(),
      ...common,
    }),
  restore: z.strictObject({
    action: z.literal('restore'),
    az,
    force: z.boolean().optional(),
    reason: text(200).optional(),
    ...common,
  }),
  release: z.strictObject({
    action: z.literal('release'),
    az: az.optional(),
    gateway: nat.optional(),
    vpcId: vpc.optional(),
    ...common,
  }),
} as const;

export type StatusRequest = z.infer<typeof schemas.status>;
export type PlanRequest = z.infer<typeof schemas.plan>;
export type FailoverRequest = z.infer<typeof schemas.failover>;
export type RestoreRequestInput = z.infer<typeof schemas.restore>;
export type ReleaseRequest = z.infer<typeof schemas.release>;
export type ManualRequest = StatusRequest | PlanRequest | FailoverRequest | RestoreRequestInput | ReleaseRequest;

const fieldOf = (path: readonly PropertyKey[]): string => (path.length === 0 ? 'request' : path.slice(0, 8).map(String).join('.'));

const valueAt = (raw: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function firstIssue(error: z.ZodError, raw: unknown): RequestError {
  const issue = error.issues[0];
  if (!issue) return new RequestError('request', 'invalid');
  if (issue.code === 'unrecognized_keys') {
    // Named one at a time: a request may carry any number of keys of any length.
    const keys = issue.keys.map(String);
    return new RequestError(keys[0] ?? 'request', keys.length === 1 ? 'unknown field' : `unknown field (and ${keys.length - 1} more unknown)`);
  }
  if (issue.code === 'invalid_type') {
    const field = fieldOf(issue.path);
    const given = valueAt(raw, issue.path);
    return new RequestError(field, given === undefined ? 'is required' : `expected ${issue.expected}, got ${typeName(given)}`);
  }
  return new RequestError(fieldOf(issue.path), issue.message);
}

/** Parses any JSON value into a request, or throws a RequestError naming the field. */
export function parseRequest(raw: unknown): ManualRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RequestError('request', 'expected a JSON object with an "action" field');
  }
  const action = (raw as Record<string, unknown>).action;
  if (action === undefined) throw new RequestError('action', `is required: one of ${ACTIONS.join(', ')}`);
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new RequestError('action', `unknown action ${typeof action === 'string' ? quoted(action, 40) : typeName(action)}: expected one of ${ACTIONS.join(', ')}`);
  }
  const parsed = schemas[action as ActionName].safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error, raw);
  const req = parsed.data as ManualRequest;
  if (req.action === 'failover' || req.action === 'release') {
    if ((req.az === undefined) === (req.gateway === undefined)) {
      throw new RequestError(req.az === undefined ? 'az' : 'gateway', 'give exactly one of az or gateway');
    }
  }
  if (req.action === 'restore' && req.force && req.reason === undefined) {
    throw new RequestError('reason', 'is required when force is true');
  }
  return req;
}
