/** Evacuation memory tags are read with the one strict instant reader (issue 10, item 4). */
import fc from 'fast-check';
import { EVACUATION_TAG_PREFIX, readMemory } from '../../src/events/memory';
import { nearMiss } from '../core/garbage';

const key = `${EVACUATION_TAG_PREFIX}use1-az1`;

describe('evacuation memory dates', () => {
  it('reads a real instant and ignores an entry whose instant does not exist (not rolled into March)', () => {
    const memory = readMemory([{ tags: { [key]: 'arc-zonal-shift@2026-11-23T11:59:00Z#0123456789 aws-health@2027-02-30T00:00:00Z#abcdefabcd' } }]);
    expect(memory.map((e) => [e.source, e.at.toISOString()])).toEqual([['arc-zonal-shift', '2026-11-23T11:59:00.000Z']]);
  });

  it('ignores every near-miss instant the entry pattern lets through', () => {
    fc.assert(
      fc.property(nearMiss, (at) => {
        expect(readMemory([{ tags: { [key]: `aws-health@${at}#0123456789` } }])).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
