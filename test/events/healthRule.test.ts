/**
 * The EventBridge rule for AWS Health in serverless.yml and the parser must agree on the services:
 * a service the parser accepts but the rule does not match never reaches the controller (that is
 * how MULTIPLE_SERVICES issues, the largest AZ incidents, were missed). Read from the file as
 * written (the packaged template is checked by test/stack).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEALTH_SERVICES } from '../../src/events/healthEvent';

const yml = readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8');

/** The pattern block that follows `source: [aws.health]`, up to the next `- eventBridge:` or function. */
function healthPattern(): string {
  const at = yml.indexOf('source: [aws.health]');
  expect(at).toBeGreaterThan(0);
  const rest = yml.slice(at);
  const end = rest.search(/\n\s*- eventBridge:|\n {2}[a-z]+:\n/);
  return end > 0 ? rest.slice(0, end) : rest;
}
const list = (block: string, key: string): string[] =>
  (new RegExp(`${key}:\\s*\\[([^\\]]*)\\]`).exec(block)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

describe('serverless.yml: the AWS Health rule', () => {
  it('matches exactly the services the parser accepts, MULTIPLE_SERVICES included', () => {
    expect(list(healthPattern(), 'service').sort()).toEqual([...HEALTH_SERVICES].sort());
    expect(HEALTH_SERVICES).toContain('MULTIPLE_SERVICES');
  });

  it('matches AWS Health Event issues only', () => {
    const block = healthPattern();
    expect(list(block, 'detail-type')).toEqual(['AWS Health Event']);
    expect(list(block, 'eventTypeCategory')).toEqual(['issue']);
  });
});

describe('docs/events.md: the AWS Health row', () => {
  it('names every service the rule and the parser accept', () => {
    const row = readFileSync(join(__dirname, '..', '..', 'docs', 'events.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('| AWS Health issue |'));
    for (const s of HEALTH_SERVICES) expect([s, row?.includes(`\`${s}\``)]).toEqual([s, true]);
  });
});
