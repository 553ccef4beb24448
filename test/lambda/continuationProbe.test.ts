/**
 * Found in review: a run woken by a probe's verdict whose changes the deadline deferred handed the
 * continuation nothing of the verdict, so the continuation (no verdict, nothing away) did not read
 * the probes and the deferred failover waited for the next failing verdict. The continuation now
 * carries the chain's first event and re-reads it; and the corroboration wait never runs into the
 * invocation's wrap-up (controller.ts awaitProbeCorroboration), so a decided failover is written.
 */
import { readInvocation } from '../../src/lambda/invocation';
import { continueIfUnfinished, type ContinuationPayload } from '../../src/reconcile/continuation';
import { silentRecorder } from '../../src/reconcile/ports';
import sample from '../../events/probe-verdict.json';

const clone = () => JSON.parse(JSON.stringify(sample)) as Record<string, unknown>;

describe('a continuation keeps what its first event said', () => {
  it('carries a probe verdict: the continuation decides on the same evidence', async () => {
    const event = clone();
    const first = readInvocation(event);
    expect(first.options.probeVerdict).toBeDefined();
    let payload: ContinuationPayload | undefined;
    expect(await continueIfUnfinished({ continuation: true, dryRun: false }, first.chain, async (p) => void (payload = p), silentRecorder, first.origin)).toBe(true);
    // Through JSON, as Lambda delivers the asynchronous payload.
    const next = readInvocation(JSON.parse(JSON.stringify(payload)));
    expect(next.chain).toBe(1);
    expect(next.options.trigger).toBe('continuation');
    expect(next.options.probeVerdict).toEqual(first.options.probeVerdict);
    // And the continuation's own continuation still carries the first event, not itself.
    let again: ContinuationPayload | undefined;
    await continueIfUnfinished({ continuation: true, dryRun: false }, next.chain, async (p) => void (again = p), silentRecorder, next.origin);
    expect(again).toMatchObject({ chain: 2, origin: event });
  });

  it('a continuation without an origin (or an origin that is a continuation) is a plain pass', () => {
    expect(readInvocation({ 'nat-failover': 'continuation', chain: 3 }).options).toEqual({ trigger: 'continuation' });
    expect(readInvocation({ 'nat-failover': 'continuation', chain: 3, origin: { 'nat-failover': 'continuation', chain: 1, origin: clone() } }).options).toEqual({ trigger: 'continuation' });
  });

  it('leaves out an origin too large to carry, and says so', async () => {
    const warnings: string[] = [];
    const recorder = { ...silentRecorder, warn: (m: string) => void warnings.push(m) };
    let payload: ContinuationPayload | undefined;
    await continueIfUnfinished({ continuation: true, dryRun: false }, 0, async (p) => void (payload = p), recorder, { source: 'x', big: 'y'.repeat(70_000) });
    expect(payload).toEqual({ 'nat-failover': 'continuation', chain: 1 });
    expect(warnings).toEqual([expect.stringMatching(/too large/)]);
  });
});
