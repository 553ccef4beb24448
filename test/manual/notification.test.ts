import { reconcile } from '../../src/reconcile/controller';
import { notificationFor } from '../../src/reconcile/notification';
import type { Notification } from '../../src/reconcile/ports';
import { silentRecorder } from '../../src/reconcile/ports';
import { managedTable } from '../reconcile/memoryCloud';
import { CONFIG, fixedClock, NAT, region, RTB } from './world';

async function run(mutate: (c: ReturnType<typeof region>) => void, dryRun = false) {
  const cloud = region();
  mutate(cloud);
  const sent: Notification[] = [];
  const report = await reconcile({ cloud, clock: fixedClock(), recorder: silentRecorder, notifier: { notify: async (n) => void sent.push(n) } }, CONFIG, { trigger: 'schedule', dryRun });
  return { report, sent, cloud };
}

describe('pager notifications', () => {
  it('a single failover: subject names the move, body says from where to where and why', async () => {
    const { sent, cloud } = await run((c) => {
      c.nats = c.nats.map((n) => (n.id === NAT.a ? { ...n, state: 'deleted' } : n));
    });
    const to = cloud.target(RTB.a, '0.0.0.0/0')!;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe(`[nat-failover] FAILOVER us-east-1a ${RTB.a} ${NAT.a} -> ${to}`);
    const body = sent[0]!.message;
    expect(body).toContain(`FAILOVER applied: ${RTB.a} in vpc-11111111, home AZ us-east-1a`);
    expect(body).toContain(`0.0.0.0/0     ${NAT.a} (us-east-1a) -> ${to} (${to === NAT.b ? 'us-east-1b' : 'us-east-1c'})`);
    expect(body).toContain(`64:ff9b::/96  ${NAT.a} (us-east-1a) -> ${to}`);
    expect(body).toMatch(/why: nat-0000000a unhealthy: gateway state is deleted/);
    expect(body).toContain('Elastic IPs');
  });

  it('real-length ids: the subject stays ASCII and under 100 characters, dropping the table id first', async () => {
    const long = { a: 'nat-0123456789abcdef0', b: 'nat-0123456789abcdef1' };
    const { sent } = await run((c) => {
      c.nats = [
        { ...c.nats[0]!, id: long.a, state: 'failed' },
        { ...c.nats[1]!, id: long.b },
      ];
      for (const t of c.tables.values()) t.routes = t.routes.map((r) => (r.target.kind === 'nat' ? { ...r, target: { kind: 'nat', id: t.id === RTB.a ? long.a : long.b } } : r));
      const t = c.tables.get(RTB.a)!;
      c.tables.delete(RTB.a);
      c.tables.set('rtb-0123456789abcdef0', { ...t, id: 'rtb-0123456789abcdef0' });
    });
    const subject = sent[0]!.subject;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toBe(`[nat-failover] FAILOVER us-east-1a ${long.a} -> ${long.b}`);
  });

  it('several tables of one kind: one subject with the AZ, the count and the targets', async () => {
    const { sent } = await run((c) => {
      c.addTable({ ...managedTable('rtb-0000000d', 'us-east-1a', NAT.a) });
      c.nats = c.nats.map((n) => (n.id === NAT.a ? { ...n, state: 'deleted' } : n));
    });
    expect(sent[0]!.subject).toBe(`[nat-failover] FAILOVER us-east-1a 2 tables -> ${NAT.b},${NAT.c}`);
    expect(sent[0]!.message.match(/^FAILOVER applied: /gm)).toHaveLength(2);
  });

  it('a safety hold alone pages with HOLD and the reason', async () => {
    const { sent } = await run((c) => {
      c.nats = c.nats.map((n) => ({ ...n, state: 'failed' }));
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe('[nat-failover] HOLD 3 x no-healthy-target');
    expect(sent[0]!.message).toContain(`HOLD no-healthy-target: ${RTB.a} in vpc-11111111, AZ us-east-1a`);
    expect(sent[0]!.message).toContain('no healthy gateway in another AZ');
    expect(sent[0]!.message).not.toContain('Elastic IPs');
  });

  it('a table someone else moved is adopted with a NOTICE that says how to keep it there', async () => {
    // Prepare: a run records every table at home; then a person points rtb-a (IPv4 and NAT64) at
    // nat-b by hand.
    const cloud = region();
    const sent: Notification[] = [];
    const deps = { cloud, clock: fixedClock(), recorder: silentRecorder, notifier: { notify: async (n: Notification) => void sent.push(n) } };
    await reconcile(deps, CONFIG, { trigger: 'schedule' });
    const t = cloud.tables.get(RTB.a)!;
    t.routes = t.routes.map((r) => (r.target.kind === 'nat' ? { ...r, target: { kind: 'nat', id: NAT.b } } : r));
    sent.length = 0;

    // Act
    await reconcile(deps, CONFIG, { trigger: 'schedule' });

    // Assess: nothing moved back, and a person is told once.
    expect(cloud.target(RTB.a, '0.0.0.0/0')).toBe(NAT.b);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe(`[nat-failover] NOTICE external-change us-east-1a ${RTB.a}`);
    expect(sent[0]!.message).toContain(`NOTICE external-change: ${RTB.a} in vpc-11111111, AZ us-east-1a`);
    expect(sent[0]!.message).toContain('pin it');
    sent.length = 0;
    await reconcile(deps, CONFIG, { trigger: 'schedule' });
    expect(sent).toEqual([]);
  });

  it('a quiet run and a dry run page nobody', async () => {
    expect((await run(() => undefined)).sent).toEqual([]);
    const dry = await run((c) => {
      c.nats = c.nats.map((n) => (n.id === NAT.a ? { ...n, state: 'deleted' } : n));
    }, true);
    expect(dry.sent).toEqual([]);
    expect(notificationFor(dry.report)).toBeUndefined();
  });
});
